"""The evaluation hook: a survey wave sent to a program's group members.

Surveys choose a wave's recipients by role (surveys.services.invitations_create_for_roles);
this is the peer-group way, through surveys' own `invitations_create`, so the survey
app needs nothing of groups (a kind may use surveys, not the other way round)."""

from medmentor.groups.models import PeerGroup
from medmentor.groups.selectors import accepted_members
from medmentor.groups.services.membership import GroupError
from medmentor.programs import access
from medmentor.programs.access import Actor
from medmentor.surveys.models import Wave
from medmentor.surveys.services import invitations_create


def group_members_invite(*, wave: Wave, by: Actor, group: PeerGroup | None = None) -> int:
    """Invite the members (agreement accepted) of every group of the wave's program, or
    of `group`, to `wave`. Returns how many were newly invited."""
    program = wave.instrument.program
    access.require_manager(
        by, program, "Only the program's directors and coordinators invite people."
    )
    groups = [group] if group is not None else list(PeerGroup.objects.filter(program=program))
    if any(g.program_id != program.pk for g in groups):
        raise GroupError("That group is not in the survey's program.")
    people = {m.person.pk: m.person for g in groups for m in accepted_members(group=g)}
    return invitations_create(wave=wave, people=[people[k] for k in sorted(people)])
