"""Background work of one-to-one programs through the Django Tasks API.

A matching run of a large cohort is queued here (database backend); django-tasks-db's
`medmentor db_worker` runs it. `medmentor worker` does not run tasks.
"""

from django_tasks import task

from medmentor.mentoring.models import MatchingRun


@task()
def matching_run_task(run_id: int) -> str:
    """Solve the queued matching run `run_id`; returns its status afterwards."""
    from medmentor.mentoring.services import matching_run_execute

    run = MatchingRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    return matching_run_execute(run=run).status
