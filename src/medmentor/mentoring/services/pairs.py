"""Writes of the pair's home: each person's own profile as the pair sees it (bio,
photo, contact preference: people.Profile, through people.services.profile_update) and
the goals a pair shares. Only the people of a current pair write its
goals; each person writes only their own profile."""

from django.db import transaction

from medmentor.mentoring.models import Goal, GoalStatus, Mentorship
from medmentor.people import services as people_services
from medmentor.people.models import Person, Profile

GOAL_TITLE_MAX = 200


class PairError(ValueError):
    """A refused change to a pair's goals or a person's profile, in plain words."""


def mentoring_profile_update(
    *,
    person: Person,
    bio: str,
    contact_preference: str,
    photo=None,
    remove_photo: bool = False,
) -> Profile:
    """`person` sets their own bio, contact preference and (optionally) photo: their
    profile (people.Profile), which every kind shares; the pair page shows it to the
    pair only."""
    try:
        return people_services.profile_update(
            person=person,
            by=person,
            bio=bio,
            contact_preference=contact_preference,
            photo=photo,
            remove_photo=remove_photo,
        )
    except people_services.ProfileError as error:
        raise PairError(str(error)) from error


def _require_in_pair(*, mentorship: Mentorship, by: Person) -> None:
    if by.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        raise PairError("Only the mentor and the mentee of a pair set its goals.")
    if mentorship.ended_on is not None:
        raise PairError(
            f"This pair ended on {mentorship.ended_on:%d %B %Y}; its goals are kept as they were."
        )


def _check_goal(*, title: str, progress: int) -> str:
    title = title.strip()
    if not title:
        raise PairError("A goal needs a few words saying what it is.")
    if len(title) > GOAL_TITLE_MAX:
        raise PairError(f"A goal's title has at most {GOAL_TITLE_MAX} characters.")
    if not 0 <= progress <= 100:
        raise PairError(f"Progress {progress}% is refused: 0 to 100.")
    return title


def goal_create(*, mentorship: Mentorship, by: Person, title: str, due_on=None) -> Goal:
    """`by` (the pair's mentor or mentee) sets a new goal for the pair."""
    title = _check_goal(title=title, progress=0)
    _require_in_pair(mentorship=mentorship, by=by)
    with transaction.atomic():
        return Goal.objects.create(mentorship=mentorship, title=title, due_on=due_on, created_by=by)


def goal_update(*, goal: Goal, by: Person, status: str, progress: int) -> Goal:
    """`by` (either side of the pair) moves the goal on: its status and progress. A goal
    marked done is at 100%; one at 100% is done."""
    if status not in GoalStatus.values:
        raise PairError(f"“{status}” is not a goal status: not started, in progress or done.")
    _check_goal(title=goal.title, progress=progress)
    _require_in_pair(mentorship=goal.mentorship, by=by)
    if status == GoalStatus.DONE or progress == 100:
        status, progress = GoalStatus.DONE, 100
    with transaction.atomic():
        goal.status, goal.progress = status, progress
        goal.save(update_fields=["status", "progress", "updated_at"])
    return goal
