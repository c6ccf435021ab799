"""The home page's reads: each of a person's programs with what needs them there.

Every app below that knows something a person should act on offers a selector
`attention_items(*, person, program)` applying its own privacy rules; this top floor
imports each shared app's directly, and a program kind's through the kind registry
(`programs.kinds.home_items`), so each program asks only its own kind.
"""

from dataclasses import dataclass

from django.urls import reverse

from medmentor.messaging.selectors import outbox_summary
from medmentor.people.models import Person
from medmentor.programs import access
from medmentor.programs.kinds import home_items as kind_attention_items
from medmentor.programs.models import Program
from medmentor.programs.selectors import (
    ATTENTION_WARN,
    AttentionItem,
    ProgramLink,
    plural,
    programs_for_person,
)
from medmentor.programs.selectors import attention_items as programs_attention_items
from medmentor.qualitative.selectors import attention_items as qualitative_attention_items
from medmentor.surveys.selectors import attention_items as surveys_attention_items


def outbox_attention_items(*, person: Person, program: Program) -> list[AttentionItem]:
    """For the program's directors and coordinators: its emails that failed or gave up
    (counts). Here, on the top floor, because programs sits below messaging (DESIGN.md);
    every email of a program carries the topic "program:<id>"."""
    if not access.program_access(person, program).manages:
        return []
    summary = outbox_summary(topic=f"program:{program.pk}")
    failed, gave_up = summary.get("failed", 0), summary.get("gave_up", 0)
    if not failed + gave_up:
        return []
    parts = []
    if failed:
        parts.append(f"{plural(failed, 'email')} failed and will be retried")
    if gave_up:
        parts.append(f"{plural(gave_up, 'email')} gave up")
    return [
        AttentionItem(
            text="In the outbox: " + "; ".join(parts) + ".",
            url=reverse("outbox", kwargs={"slug": program.slug}),
            tone=ATTENTION_WARN,
        )
    ]


# Asked in this order; each provider's own order is kept within a tone.
ATTENTION_PROVIDERS = (
    programs_attention_items,
    outbox_attention_items,
    # The program's own kind (curriculum for case review, mentoring for one-to-one),
    # through the kind registry: each program asks only its kind.
    kind_attention_items,
    surveys_attention_items,
    qualitative_attention_items,
)


@dataclass(frozen=True)
class ProgramCard:
    link: ProgramLink
    items: list[AttentionItem]


def home_cards(*, person: Person) -> list[ProgramCard]:
    """The home page: each of `person`'s programs with what needs them there, from every
    provider in ATTENTION_PROVIDERS. A fixed number of queries per program, however many
    people it has."""
    cards = []
    for link in programs_for_person(person=person):
        # The providers ask program_access; these roles are already read.
        access.remember(person=person, program=link.program, roles=link.roles)
        items = [
            item
            for provider in ATTENTION_PROVIDERS
            for item in provider(person=person, program=link.program)
        ]
        # What to act on first, then what to know; each provider's order kept.
        items.sort(key=lambda item: item.tone != ATTENTION_WARN)
        cards.append(ProgramCard(link=link, items=items))
    return cards
