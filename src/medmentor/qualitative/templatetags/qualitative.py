"""`{% load qualitative %}{% if program|researcher_of:user %}`: links to the
qualitative pages shown only to those who may open them."""

from django import template

from medmentor.programs.access import program_access

register = template.Library()


@register.filter
def researcher_of(program, person) -> bool:
    return program_access(person, program).is_researcher
