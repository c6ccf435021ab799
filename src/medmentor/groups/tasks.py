"""Background work of peer groups: a worker hook (`group-emails` in
site/management/commands/worker.py) that queues

- the presenter's reminder, three days before the meeting where it is their turn;
- each group's thread digest (services.thread_digests_enqueue_due).

Keys name the meeting and person (and the start), so any number of runs queue each
email once. Their topic is the group's private one (no program outbox page, no admin).

And, through the Django Tasks API (database backend; django-tasks-db's
`medmentor db_worker` runs them, `medmentor worker` does not), a large network's
formation and publication, which report their progress on the run.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from medmentor.groups.models import PeerGroup, PresenterTurn
from medmentor.groups.services.cycle import private_topic
from medmentor.groups.services.space import thread_digests_enqueue_due
from medmentor.messaging.personal_links import sign_in_placeholder
from medmentor.messaging.services import RenderedEmail, outbox_enqueue_many, outbox_keys_existing

PRESENTER_NOTICE = datetime.timedelta(days=3)


def presenter_reminders_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    turns = list(
        PresenterTurn.objects.filter(
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + PRESENTER_NOTICE,
            meeting__cancelled_at__isnull=True,
            person__is_active=True,
        ).select_related("meeting", "person", "group__program")
    )
    wanted = {
        f"group-presenter:{t.meeting_id}:{t.person_id}:{t.meeting.starts_at:%Y%m%dT%H%M}": t
        for t in turns
    }
    existing = outbox_keys_existing(keys=list(wanted))
    emails = []
    for key, turn in wanted.items():
        if key in existing:
            continue
        group: PeerGroup = turn.group
        emails.append(
            RenderedEmail(
                key=key,
                to_email=turn.person.email,
                person_id=turn.person_id,
                subject=f"Your turn to present at {group.name}",
                text_body=render_to_string(
                    "groups/presenter_email.txt",
                    {
                        "person": turn.person,
                        "group": group,
                        "local_start": turn.meeting.starts_at.astimezone(turn.meeting.zone),
                        "url": sign_in_placeholder(
                            next_path=f"/programs/{group.program.slug}/groups/{group.pk}/"
                        ),
                    },
                ),
                topic=private_topic(group),
            )
        )
    return outbox_enqueue_many(emails=emails) if emails else 0


def groups_emails_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """The worker hook: presenter reminders and thread digests now due."""
    now = now or timezone.now()
    return presenter_reminders_enqueue_due(now=now) + thread_digests_enqueue_due(now=now)


@task()
def formation_run_task(run_id: int) -> str:
    """Form the groups of the queued run `run_id`; returns its status afterwards."""
    from medmentor.groups.services.formation import formation_run_execute

    run = formation_run_execute(run_id=run_id)
    return run.status if run is not None else "missing"


@task()
def formation_publish_task(run_id: int) -> str:
    """Publish the run `run_id` queued for publication; returns its status afterwards."""
    from medmentor.groups.services.formation import formation_publish_execute

    run = formation_publish_execute(run_id=run_id)
    return run.status if run is not None else "missing"
