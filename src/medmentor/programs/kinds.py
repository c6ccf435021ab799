"""The registry of program kinds: which menu, home-page items and pages each kind has.

Each kind of program (case review, one-to-one, and later peer groups, conferences,
reverse mentoring, community check-in) lives in its own app, above this one. The app
registers its kind here from its `AppConfig.ready()`, so this module never imports the
kinds: it knows them only by what they registered.

- The program menu (`program_menu`, shown by `programs/_program_nav.html`): the entries
  every program has, with the program's own kind's entries in the middle. A one-to-one
  program has no schedule, weeks or curriculum entry; a case-review program no matching.
- Pages (`require_page`): a page (URL name) or API operation that a kind registered as
  its own exists only for programs of that kind; for any other program it is a 404 with
  a message that says why. A page no kind registered (roster, outbox, surveys…) is
  every program's.
- Home-page items (`home_items`): what the program's kind knows needs the person there,
  from the provider the kind registered; the home page adds it to the items of the
  apps every program has.
- Creation (`register_creation`, `creation_for`): what the "new program" page asks for
  a program of the kind beyond the generic fields (name, short name, institution, first
  Monday, time zone), with the kind's defaults, and what the kind sets up once the
  program exists. A kind that registers none gets the generic form.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.http import Http404

from medmentor.people.models import Person
from medmentor.programs.models import Program, ProgramKind


@dataclass(frozen=True)
class MenuEntry:
    """One link of the program menu: its words, its URL name (it takes the program's
    slug), and the `current` key a page passes to mark it as the page open."""

    label: str
    url_name: str
    current: str


@dataclass(frozen=True)
class Kind:
    """What one kind of program registers.

    `pages` holds the URL names of its web pages and the API operations (as
    "api:<operation_id>") that only programs of this kind have. `home_items` is called
    as home_items(person=..., program=...) and returns the home page's AttentionItems
    (programs.selectors) for a program of this kind; it applies its own privacy rules.
    """

    kind: str  # a ProgramKind value
    # The page a program of this kind opens on: the menu's first entry, and where the
    # home page sends its learners (case review: the workspace, the default).
    landing: MenuEntry | None = None
    menu: tuple[MenuEntry, ...] = ()
    pages: frozenset[str] = field(default_factory=frozenset)
    home_items: Callable[..., list] | None = None

    @property
    def label(self) -> str:
        return ProgramKind(self.kind).label


# Every program's menu starts and ends with these, whatever its kind.
MENU_BEFORE = (
    MenuEntry("Overview", "program-detail", "dashboard"),
    # The people page; the roster import is one click away from it.
    MenuEntry("People", "program-people", "people"),
    MenuEntry("Meetings", "meetings", "meetings"),
)
MENU_AFTER = (
    MenuEntry("Outbox", "outbox", "outbox"),
    MenuEntry("Surveys", "survey-list", "surveys"),
    MenuEntry("Focus groups", "qualitative", "qualitative"),
)

_kinds: dict[str, Kind] = {}


def register(
    *,
    kind: str,
    landing: MenuEntry | None = None,
    menu: Iterable[MenuEntry] = (),
    pages: Iterable[str] = (),
    home_items: Callable[..., list] | None = None,
) -> Kind:
    """Register (or register again, e.g. when ready() runs twice) the kind `kind`.

    Refused with ValueError when `kind` is not a ProgramKind or another kind already
    registered one of `pages`: a page belongs to one kind, or to every program."""
    if kind not in ProgramKind.values:
        raise ValueError(f"“{kind}” is not a kind of program ({', '.join(ProgramKind.values)}).")
    entry = Kind(
        kind=kind,
        landing=landing,
        menu=tuple(menu),
        pages=frozenset(pages),
        home_items=home_items,
    )
    for other in _kinds.values():
        shared = entry.pages & other.pages
        if other.kind != kind and shared:
            raise ValueError(
                f"The pages {', '.join(sorted(shared))} are already the "
                f"{other.label.lower()} kind's; the {entry.label.lower()} kind cannot have "
                "them too."
            )
    _kinds[kind] = entry
    return entry


def registered() -> dict[str, Kind]:
    """Every registered kind, by ProgramKind value."""
    return dict(_kinds)


def kind_for(program: Program) -> Kind:
    """What `program`'s kind registered; a kind no app registered (not built yet) has
    the shared menu and pages only and no home-page items."""
    return _kinds.get(program.kind) or Kind(kind=program.kind)


def program_menu(program: Program) -> list[MenuEntry]:
    """The program menu of `program`: its kind's landing page first (if it has one),
    then the shared entries around its own kind's."""
    kind = kind_for(program)
    landing = (kind.landing,) if kind.landing else ()
    return [*landing, *MENU_BEFORE, *kind.menu, *MENU_AFTER]


LEARNER_LANDING = "workspace"  # the case-review workspace, for kinds that name none


def learner_landing(program: Program) -> str:
    """The URL name (it takes the program's slug) a mentor or mentee of `program` opens
    first: its kind's landing page, else the case-review workspace."""
    landing = kind_for(program).landing
    return landing.url_name if landing else LEARNER_LANDING


def page_owner(page: str) -> Kind | None:
    """The kind that registered `page` as its own; None for a page every program has."""
    return next((entry for entry in _kinds.values() if page in entry.pages), None)


def page_exists(*, program: Program, page: str | None) -> bool:
    """Whether `program` has the page (URL name) or API operation ("api:<id>") `page`."""
    owner = page_owner(page) if page else None
    return owner is None or owner.kind == program.kind


class PageNotInKind(Http404):
    """A page of one kind of program asked for a program of another kind (404)."""


def require_page(*, program: Program, page: str | None) -> None:
    """Raise PageNotInKind (a 404 with the reason) unless `program` has `page`."""
    if not page_exists(program=program, page=page):
        owner = page_owner(page)
        raise PageNotInKind(
            f"{program.name} is a {ProgramKind(program.kind).label.lower()} program: this "
            f"page belongs to {owner.label.lower()} programs only."
        )


def home_items(*, person: Person, program: Program) -> list:
    """The home page's items from `program`'s kind (e.g. a one-to-one program's
    unmatched mentees): the provider the kind registered, else none."""
    provider = kind_for(program).home_items
    return list(provider(person=person, program=program)) if provider else []


# --- Creating a program of a kind -------------------------------------------------------

# What every new program is asked, whatever its kind.
GENERIC_CREATION_FIELDS = ("name", "slug", "institution", "starts_on", "time_zone")
# The program's other settings a kind may ask for when it is created (Program fields,
# `service` by name: a service of the institution, new or known).
KIND_CREATION_FIELDS = ("description", "service", "weekly_email_weekday", "weekly_email_time")


@dataclass(frozen=True)
class Creation:
    """What the "new program" page asks for a program of `kind`.

    `fields`: the KIND_CREATION_FIELDS it asks, in order, after the generic ones.
    `settings_fields`: the kind's own settings, kept in the kind's tables, not on
    Program (e.g. a peer-group program's size limit): name → a function making the
    form field (a Django forms.Field), asked after `fields`. `defaults`: initial values
    by field name (generic or the kind's; a callable is called with no argument).
    `intro`: a sentence saying what such a program is, shown when choosing the kind.
    `after_create`: called as after_create(program=..., by=..., **settings), the
    settings fields' cleaned values as keywords, inside the transaction that creates
    the program, for the kind's own set-up."""

    kind: str
    fields: tuple[str, ...] = ()
    defaults: Mapping[str, object] = field(default_factory=dict)
    intro: str = ""
    after_create: Callable[..., None] | None = None
    settings_fields: Mapping[str, Callable[[], object]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return ProgramKind(self.kind).label


_creations: dict[str, Creation] = {}


def register_creation(
    *,
    kind: str,
    fields: Iterable[str] = (),
    defaults: Mapping[str, object] | None = None,
    intro: str = "",
    after_create: Callable[..., None] | None = None,
    settings_fields: Mapping[str, Callable[[], object]] | None = None,
) -> Creation:
    """Register (again, when ready() runs twice) what creating a program of `kind` asks.

    Refused with ValueError for an unknown kind, a field outside KIND_CREATION_FIELDS,
    a settings field named like a field of the page, or settings fields without an
    after_create to receive them."""
    if kind not in ProgramKind.values:
        raise ValueError(f"“{kind}” is not a kind of program ({', '.join(ProgramKind.values)}).")
    fields = tuple(fields)
    unknown = [name for name in fields if name not in KIND_CREATION_FIELDS]
    if unknown:
        raise ValueError(
            f"A new program cannot be asked for “{unknown[0]}”; a kind may ask for "
            f"{', '.join(KIND_CREATION_FIELDS)}."
        )
    settings_fields = dict(settings_fields or {})
    clash = [
        name
        for name in settings_fields
        if name in (*GENERIC_CREATION_FIELDS, *KIND_CREATION_FIELDS, "kind")
    ]
    if clash:
        raise ValueError(f"“{clash[0]}” is a field of every new program; name the setting apart.")
    if settings_fields and after_create is None:
        raise ValueError("A kind that asks for its own settings keeps them in after_create.")
    entry = Creation(
        kind=kind,
        fields=fields,
        defaults=dict(defaults or {}),
        intro=intro,
        after_create=after_create,
        settings_fields=settings_fields,
    )
    _creations[kind] = entry
    return entry


def creation_for(kind: str) -> Creation:
    """What creating a program of `kind` asks: what the kind registered, else the
    generic fields only."""
    return _creations.get(kind) or Creation(kind=kind)


def creatable_kinds() -> list[Creation]:
    """The kinds a program may be created of from the web: those whose app registered
    the kind (its pages exist), in the order of ProgramKind."""
    return [creation_for(kind) for kind in ProgramKind.values if kind in _kinds]
