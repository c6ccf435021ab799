"""Writes of the pair's home: each person's own mentoring profile (bio, photo, contact
preference) and the goals a pair shares. Only the people of a current pair write its
goals; each person writes only their own profile."""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from medmentor.mentoring.models import Goal, GoalStatus, MentoringProfile, Mentorship
from medmentor.people.models import Person

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_SIDE = 512  # stored size: enough for a phone, small to serve
BIO_MAX = 600
GOAL_TITLE_MAX = 200


class PairError(ValueError):
    """A refused change to a pair's goals or a person's profile, in plain words."""


def _photo_clean(upload) -> ContentFile:
    """The upload re-encoded as a JPEG of at most PHOTO_MAX_SIDE pixels a side; refused
    when too large or not a JPEG, PNG or WebP image. Pillow reads the bytes themselves,
    so a renamed file of another type is refused whatever its name or stated type."""
    if upload.size > PHOTO_MAX_BYTES:
        raise PairError(
            f"The photo is {upload.size / 1024 / 1024:.1f} MB; photos of at most 2 MB are accepted."
        )
    try:
        with Image.open(upload) as image:
            kind = image.format
            if kind not in PHOTO_TYPES:
                raise PairError(
                    f"The photo is a {kind or 'file of unknown type'}; JPEG, PNG or WebP images "
                    "are accepted."
                )
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            # Re-encoding drops whatever else the file carried (location, camera data).
            image.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError) as error:
        raise PairError("The photo could not be read as an image: JPEG, PNG or WebP.") from error
    return ContentFile(out.getvalue(), name="photo.jpg")


def mentoring_profile_update(
    *,
    person: Person,
    bio: str,
    contact_preference: str,
    photo=None,
    remove_photo: bool = False,
) -> MentoringProfile:
    """`person` sets their own bio, contact preference and (optionally) photo."""
    bio = bio.strip()
    if len(bio) > BIO_MAX:
        raise PairError(f"The bio has {len(bio)} characters; at most {BIO_MAX} are kept.")
    new_photo = _photo_clean(photo) if photo is not None else None
    with transaction.atomic():
        profile, _ = MentoringProfile.objects.select_for_update().get_or_create(person=person)
        old = profile.photo.name if profile.photo else ""
        profile.bio = bio
        profile.contact_preference = contact_preference.strip()[:200]
        if new_photo is not None:
            profile.photo.save(new_photo.name, new_photo, save=False)
        elif remove_photo:
            profile.photo = ""
        profile.save()
        if old and old != (profile.photo.name if profile.photo else ""):
            storage = profile.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
    return profile


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
