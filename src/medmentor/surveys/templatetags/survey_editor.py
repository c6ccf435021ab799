"""`{% if program|edits_surveys_of:user %}`: whether to show a link to the survey editor,
on pages whose views other people keep (the report)."""

from django import template

from medmentor.programs.models import STAFF_ROLES
from medmentor.programs.selectors import roles_in_program

register = template.Library()


@register.filter
def edits_surveys_of(program, person) -> bool:
    """True when `person` is a director or coordinator of `program`: the editor's roles."""
    return bool(roles_in_program(person=person, program=program) & set(STAFF_ROLES))
