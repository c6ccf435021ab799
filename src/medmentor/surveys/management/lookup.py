"""What the survey console verbs share: finding the program, survey and wave a person
typed, or a CommandError that names the value and lists the choices."""

from django.core.management.base import CommandError

from medmentor.programs.models import Program
from medmentor.surveys.models import Instrument, Wave, WaveKind


def instrument_from_id(program: Program, survey_id: str) -> Instrument:
    """The survey of `program` with the id `survey_id`, or a CommandError listing them
    (a survey of another program is refused like an unknown one)."""
    found = None
    if survey_id.isdigit():
        found = program.instruments.filter(pk=int(survey_id)).first()
    if found is None:
        known = "; ".join(f"{i.pk} “{i.title}”" for i in program.instruments.order_by("pk"))
        raise CommandError(
            f"No survey “{survey_id[:40]}” in {program.name}. Surveys (id and title): "
            f"{known or 'none yet'}."
        )
    return found


def wave_from_name(instrument: Instrument, wave: str) -> Wave:
    """The wave of `instrument` named by its kind (pre, post, follow-up) or its id."""
    waves = list(instrument.waves.all())
    name = wave.strip().lower().replace("-", "_")
    for candidate in waves:
        if name in (candidate.kind, str(candidate.pk)):
            return candidate
    known = ", ".join(f"{w.kind.replace('_', '-')} (id {w.pk})" for w in waves)
    raise CommandError(
        f"No wave “{wave[:40]}” in “{instrument.title}”. Waves: {known or 'none yet'}"
        f" (a wave is one of {', '.join(k.replace('_', '-') for k in WaveKind.values)})."
    )
