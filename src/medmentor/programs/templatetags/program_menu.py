"""`{% program_menu program as menu %}`: the program menu from the kind registry."""

from django import template

from medmentor.programs import kinds

register = template.Library()


@register.simple_tag
def program_menu(program) -> list[kinds.MenuEntry]:
    """The entries of `program`'s menu: the shared ones around its own kind's."""
    return kinds.program_menu(program)
