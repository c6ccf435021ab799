"""Reads about people that pages and the API show."""

from medmentor.people.models import Person, Profile


def person_by_email(*, email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email.strip()).first()


def profile_of(*, person: Person) -> Profile | None:
    """`person`'s own profile (None until they write one). Whom it is shown to is each
    program kind's rule, in its own selectors; `person` always sees their own."""
    return Profile.objects.filter(person=person).first()


def profiles_of(*, people) -> dict[int, Profile]:
    """The profiles of `people` (one query), by person id; none for who wrote none."""
    return {profile.person_id: profile for profile in Profile.objects.filter(person__in=people)}
