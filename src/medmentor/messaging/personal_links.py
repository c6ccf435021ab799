"""Personal links: made by the worker at delivery, for the recipient alone.

A personal link (a one-time sign-in link, a survey answering link) lets whoever holds
it act as its owner. So no email is ever rendered or stored with one: templates
receive a *placeholder* instead, the outbox keeps the placeholder, and the delivery
worker swaps it for a freshly minted link right before the message goes out
(`personal_links_expand`). Nothing staff can read (the outbox page, the admin, the
API, logs) ever holds a token, whatever a template does with the value it was given.

The placeholder format
----------------------

    {SITE_URL}/personal-link/<kind>/<ref>/[?next=<path, percent-encoded>]

- `kind` names the registered minter: ``sign-in`` (registered by messaging itself),
  ``survey`` (registered by surveys), ... — lower-case letters, digits and dashes.
- `ref` is the object the link is about (a survey invitation's id), ``-`` for none.
- `next`, only for kinds that sign in, is where the link lands after signing in.

It is an ordinary URL on the site, so it works in an ``href`` and reads as a link on
the outbox page; opening it finds nothing (404). It holds no secret: a kind and an id.

Expanding, at delivery
----------------------

`personal_links_expand_many(messages=rows)` (the worker, once per delivery batch;
`personal_links_expand(message=row)` for one) finds every placeholder in each row's
subject, text and HTML parts and asks the kind's minter for a link for that
``row.person`` — the recipient, and only them; a kind with a batch minter (sign-in)
makes the whole batch's links in one INSERT. A minter refuses (returns None) an
object that is not the recipient's: a placeholder copied into someone else's email
(by a template, by hand) never mints the first person's link. A refused, unknown or
unusable placeholder becomes the site's sign-in page address (`neutral_link`), where
the recipient can ask for a link of their own.

A template that reshapes the value it was given (``|cut``, ``|upper``, ``|slice``,
``|urlencode`` ...) only breaks the placeholder: it is no longer found, so the
recipient gets a broken link, never a token, and the stored email still holds none.

Only a placeholder that stands as a link of its own is minted, so that a template
cannot wrap the link inside an address of another site (``<img
src="https://elsewhere/?{{ url }}">`` would hand the token to that site as soon as
the email is opened):

- in the subject and the plain-text part, a placeholder at the start or after a
  space, ``<``, ``(`` or ``[`` (where a mail program's link detection starts a link);
- in the HTML part, only the whole ``href`` of an ``<a>`` tag with no attribute that
  sends requests (``ping``): ``<a href="{{ url }}">``, as every template of ours
  writes it. The tag is found by Python's HTML parser, not a pattern, so an ``href``
  written inside another attribute or a style or script is not taken for one.

Anywhere else the placeholder stays as it is: an address on this site holding no
secret.

Other apps register their kinds in their AppConfig.ready() (messaging imports only
`people`): ``personal_link_kind_register(kind="survey", minter=...)``.
"""

import logging
import re
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from django.conf import settings
from django.urls import reverse

from medmentor.people.models import Person
from medmentor.people.services import sign_in_links_create

logger = logging.getLogger(__name__)

PLACEHOLDER_PATH = "/personal-link/"
_KIND = re.compile(r"[a-z][a-z0-9-]{0,39}\Z")
_REF = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")

# (recipient, ref) -> the absolute URL of the recipient's link, or None to refuse.
Minter = Callable[..., str | None]
# [(recipient, ref), ...] -> the same as Minter for each, in order, made at once.
BatchMinter = Callable[..., list[str | None]]
_minters: dict[str, Minter] = {}
_batch_minters: dict[str, BatchMinter] = {}


class PersonalLinkError(ValueError):
    """A placeholder that cannot be written: the message says which part is wrong."""


def personal_link_kind_register(
    *, kind: str, minter: Minter, batch_minter: BatchMinter | None = None
) -> None:
    """Make `minter(person=..., ref=...)` the maker of `kind` links. It must return
    None for a `ref` that does not belong to `person`. Registering again replaces.

    `batch_minter(requests=[(person, ref), ...])`, when given, makes the links of a
    whole delivery batch at once (one INSERT instead of one per message), answering
    for each request what `minter` would."""
    if not _KIND.match(kind):
        raise PersonalLinkError(f"A personal link kind is lower-case words with dashes: {kind!r}.")
    _minters[kind] = minter
    _batch_minters.pop(kind, None)
    if batch_minter is not None:
        _batch_minters[kind] = batch_minter


def personal_link_kinds() -> set[str]:
    return set(_minters)


def personal_link_placeholder(*, kind: str, ref: str | int = "-", next_path: str = "") -> str:
    """The placeholder a template receives in place of the personal link of `kind`
    about `ref` (an object id), landing on `next_path` (a path on this site)."""
    ref = str(ref)
    if not _KIND.match(kind):
        raise PersonalLinkError(f"A personal link kind is lower-case words with dashes: {kind!r}.")
    if not _REF.match(ref):
        raise PersonalLinkError(f"A personal link refers to an id of letters and digits: {ref!r}.")
    url = f"{settings.SITE_URL}{PLACEHOLDER_PATH}{kind}/{ref}/"
    if next_path:
        url += "?next=" + quote(_local_path(next_path) or "/", safe="")
    return url


def _local_path(path: str) -> str | None:
    """`path` when it is a path on this site (not another site's address), else None."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if any(ch in path for ch in "\r\n\t ") or ":" in path.split("?")[0]:
        return None
    return path


@cache
def _placeholder_pattern(site_url: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(site_url + PLACEHOLDER_PATH)
        + r"(?P<kind>[a-z][a-z0-9-]{0,39})/(?P<ref>[A-Za-z0-9_-]{1,64})/"
        + r"(?:\?next=(?P<next>[A-Za-z0-9%._~-]{1,500}))?"
    )


def placeholders_find(text: str) -> list[re.Match[str]]:
    """Every intact placeholder in `text`."""
    if PLACEHOLDER_PATH not in text:
        return []
    return list(_placeholder_pattern(settings.SITE_URL).finditer(text))


def neutral_link() -> str:
    """What stands in for a link that is not minted: the sign-in page, where the
    recipient can ask for a sign-in link of their own."""
    return settings.SITE_URL + reverse("sign-in")


# Where a link starts in plain text: a mail program's link detection starts one at the
# beginning, after a space or after an opening bracket; never inside another address.
_TEXT_LINK_START = frozenset(" \t\r\n<([")
# The attributes an <a> holding a personal link may have: none that makes a request.
_SAFE_ANCHOR_ATTRIBUTES = frozenset(
    {"href", "style", "class", "title", "target", "rel", "id", "dir", "lang"}
)


def _text_spans(text: str) -> list[re.Match[str]]:
    """The placeholders of a plain-text part that stand as links of their own."""
    return [
        match
        for match in _placeholder_pattern(settings.SITE_URL).finditer(text)
        if match.start() == 0 or text[match.start() - 1] in _TEXT_LINK_START
    ]


class _AnchorHrefs(HTMLParser):
    """Finds where, in an HTML source, a placeholder is the whole href of an <a>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.spans: list[tuple[int, int]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag != "a" or any(name not in _SAFE_ANCHOR_ATTRIBUTES for name, _ in attrs):
            return
        hrefs = [value for name, value in attrs if name == "href"]
        pattern = _placeholder_pattern(settings.SITE_URL)
        if len(hrefs) != 1 or not hrefs[0] or not pattern.fullmatch(hrefs[0].strip()):
            return
        raw = self.get_starttag_text() or ""
        found = list(pattern.finditer(raw))
        # One placeholder in the whole tag: the href's (none hides in another attribute).
        if len(found) != 1 or found[0].group(0) != hrefs[0].strip():
            return
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column + found[0].start()
        self.spans.append((start, start + len(found[0].group(0))))


def _html_spans(html: str) -> list[re.Match[str]]:
    """The placeholders of an HTML part that are the whole href of a plain <a>."""
    if PLACEHOLDER_PATH not in html:
        return []
    try:
        spans = _AnchorHrefs(html).spans
    except Exception:  # a source the parser cannot read: nothing is minted in it
        return []
    pattern = _placeholder_pattern(settings.SITE_URL)
    # A span where the parser's position did not hold the placeholder is skipped.
    return [m for start, end in spans if (m := pattern.fullmatch(html, start, end)) is not None]


def _substituted(source: str, matches: list[re.Match[str]], links: dict[str, str]) -> str:
    pieces, done = [], 0
    for match in matches:
        pieces += [source[done : match.start()], links[match.group(0)]]
        done = match.end()
    return "".join(pieces) + source[done:]


def _finished(url: str | None, match: re.Match[str], neutral: str) -> str:
    """A minted link landing on the placeholder's `next` path; `neutral` for none."""
    if url is None:
        return neutral
    if match["next"]:
        next_path = _local_path(unquote(match["next"]))
        if next_path and "?" not in url:
            url += "?next=" + quote(next_path, safe="/")
    return url


def _mint_failure(kind: str, error: Exception) -> PersonalLinkError:
    # Told without the original message, which could quote a half-made link: the
    # worker records this error against the row and logs it, where staff read both
    # ("Retry now" sends it again once the cause is mended).
    logger.error("Minting a %s link failed: %s", kind, type(error).__name__)
    return PersonalLinkError(
        f"The {kind} link of this email could not be made ({type(error).__name__})."
    )


Expanded = tuple[str, str, str]


def personal_links_expand_many(*, messages: list) -> dict[int, Expanded | PersonalLinkError]:
    """For each outbox row of a delivery batch, by id: its (subject, text_body,
    html_body) as its recipient gets them — each placeholder that stands as a link of
    its own replaced by a link minted now for that row's `person` alone (see the
    module text) — or the PersonalLinkError that kept its links from being made.

    Each row gets its own links (one per distinct placeholder in it, the same link
    where a placeholder appears twice, say in the text and the HTML part); rows of
    the same recipient get different ones. A kind registered with a batch minter
    makes all the batch's links in one go. The rows are not changed, so the outbox
    never holds what this returns: the worker builds the email from it and drops it.
    """
    found: dict[int, tuple[list[re.Match[str]], ...]] = {}
    # kind -> [(row id, placeholder match, recipient)] of what is to be minted
    wanted: dict[str, list[tuple[int, re.Match[str], Person]]] = {}
    links: dict[int, dict[str, str]] = {}
    failed: dict[int, PersonalLinkError] = {}
    neutral = neutral_link()  # reverse() once, not once per row
    for message in messages:
        subject, text, html = message.subject, message.text_body, message.html_body or ""
        parts = (subject, text, html)
        if not any(PLACEHOLDER_PATH in part for part in parts):
            found[message.id] = ([], [], [])
            continue
        spans = (_text_spans(subject), _text_spans(text), _html_spans(html))
        found[message.id] = spans
        person = message.person if message.person_id else None
        own = links.setdefault(message.id, {})
        for match in (m for matches in spans for m in matches):
            placeholder = match.group(0)
            if placeholder in own:
                continue
            own[placeholder] = neutral
            usable = person is not None and person.is_active
            if usable and match["kind"] in _minters:
                wanted.setdefault(match["kind"], []).append((message.id, match, person))
    for kind, requests in wanted.items():
        batch_minter = _batch_minters.get(kind)
        if batch_minter is not None:
            try:
                urls = batch_minter(requests=[(person, m["ref"]) for _, m, person in requests])
            except Exception as error:
                failure = _mint_failure(kind, error)
                failed.update((row_id, failure) for row_id, _, _ in requests)
                continue
        else:
            urls = []
            for row_id, match, person in requests:
                try:
                    urls.append(_minters[kind](person=person, ref=match["ref"]))
                except Exception as error:
                    failed[row_id] = _mint_failure(kind, error)
                    urls.append(None)
        for (row_id, match, _), url in zip(requests, urls, strict=True):
            links[row_id][match.group(0)] = _finished(url, match, neutral)
    expanded: dict[int, Expanded | PersonalLinkError] = {}
    for message in messages:
        if message.id in failed:
            expanded[message.id] = failed[message.id]
            continue
        own = links.get(message.id, {})
        parts = (message.subject, message.text_body, message.html_body or "")
        subject, text, html = (
            _substituted(part, matches, own)
            for part, matches in zip(parts, found[message.id], strict=True)
        )
        expanded[message.id] = (subject, text, html)
    return expanded


def personal_links_expand(*, message) -> Expanded:
    """The (subject, text_body, html_body) of one outbox row as its recipient gets
    them (personal_links_expand_many for a batch of one); raises PersonalLinkError
    when a link cannot be made."""
    result = personal_links_expand_many(messages=[message])[message.id]
    if isinstance(result, PersonalLinkError):
        raise result
    return result


# --- The sign-in kind, known here since messaging knows people ----------------------


def sign_in_link_mint(*, person: Person, ref: str) -> str | None:
    return sign_in_links_mint(requests=[(person, ref)])[0]


def sign_in_links_mint(*, requests: list[tuple[Person, str]]) -> list[str | None]:
    """The sign-in links of a delivery batch, their rows written in one INSERT."""
    # A sign-in link is always the recipient's own: a placeholder naming anyone is refused.
    people = [person for person, ref in requests if ref == "-"]
    made = iter(sign_in_links_create(people=people) if people else [])
    return [next(made) if ref == "-" else None for _, ref in requests]


def sign_in_placeholder(*, next_path: str = "") -> str:
    """The placeholder for the recipient's one-time sign-in link (landing on `next_path`)."""
    return personal_link_placeholder(kind="sign-in", next_path=next_path)
