"""`{% load qualitative %}{% if program|researcher_of:user %}`: links to the
qualitative pages shown only to those who may open them."""

from django import template

from medmentor.programs.models import Role
from medmentor.programs.selectors import roles_in_program

register = template.Library()


@register.filter
def researcher_of(program, person) -> bool:
    return Role.RESEARCHER in roles_in_program(person=person, program=program)
