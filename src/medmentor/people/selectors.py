"""Reads about people that pages and the API show."""

from medmentor.people.models import Person


def person_by_email(*, email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email.strip()).first()
