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

`personal_links_expand(message=row)` finds every placeholder in the row's subject,
text and HTML parts and asks the kind's minter for a link for ``row.person`` — the
recipient, and only them. A minter refuses (returns None) an object that is not the
recipient's: a placeholder copied into someone else's email (by a template, by hand)
never mints the first person's link. A refused, unknown or unusable placeholder
becomes the site's sign-in page address (`neutral_link`), where the recipient can ask
for a link of their own.

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
from medmentor.people.services import sign_in_link_create

logger = logging.getLogger(__name__)

PLACEHOLDER_PATH = "/personal-link/"
_KIND = re.compile(r"[a-z][a-z0-9-]{0,39}\Z")
_REF = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")

# (recipient, ref) -> the absolute URL of the recipient's link, or None to refuse.
Minter = Callable[..., str | None]
_minters: dict[str, Minter] = {}


class PersonalLinkError(ValueError):
    """A placeholder that cannot be written: the message says which part is wrong."""


def personal_link_kind_register(*, kind: str, minter: Minter) -> None:
    """Make `minter(person=..., ref=...)` the maker of `kind` links. It must return
    None for a `ref` that does not belong to `person`. Registering again replaces."""
    if not _KIND.match(kind):
        raise PersonalLinkError(f"A personal link kind is lower-case words with dashes: {kind!r}.")
    _minters[kind] = minter


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


def _mint(match: re.Match[str], person: Person | None, minted: dict[str, str]) -> str:
    placeholder = match.group(0)
    if placeholder in minted:  # the same link twice in one email (text and HTML): one mint
        return minted[placeholder]
    minter = _minters.get(match["kind"])
    url = None
    if minter is not None and person is not None and person.is_active:
        try:
            url = minter(person=person, ref=match["ref"])
        except Exception as error:
            # Told without the original message, which could quote a half-made link:
            # the worker records this error against the row and logs it, where staff
            # read both ("Retry now" sends it again once the cause is mended).
            logger.error("Minting a %s link failed: %s", match["kind"], type(error).__name__)
            raise PersonalLinkError(
                f"The {match['kind']} link of this email could not be made "
                f"({type(error).__name__})."
            ) from None
    if url is None:
        url = neutral_link()
    elif match["next"]:
        next_path = _local_path(unquote(match["next"]))
        if next_path and "?" not in url:
            url += "?next=" + quote(next_path, safe="/")
    minted[placeholder] = url
    return url


# Where a link starts in plain text: a mail program's link detection starts one at the
# beginning, after a space or after an opening bracket; never inside another address.
_TEXT_LINK_START = frozenset(" \t\r\n<([")
# The attributes an <a> holding a personal link may have: none that makes a request.
_SAFE_ANCHOR_ATTRIBUTES = frozenset(
    {"href", "style", "class", "title", "target", "rel", "id", "dir", "lang"}
)


def _text_expand(text: str, mint: Callable[[re.Match[str]], str]) -> str:
    def standalone(match: re.Match[str]) -> str:
        start = match.start()
        if start == 0 or text[start - 1] in _TEXT_LINK_START:
            return mint(match)
        return match.group(0)

    return _placeholder_pattern(settings.SITE_URL).sub(standalone, text)


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


def _html_expand(html: str, mint: Callable[[re.Match[str]], str]) -> str:
    try:
        spans = _AnchorHrefs(html).spans
    except Exception:  # a source the parser cannot read: nothing is minted in it
        return html
    pattern = _placeholder_pattern(settings.SITE_URL)
    pieces, done = [], 0
    for start, end in spans:
        match = pattern.fullmatch(html, start, end)
        if match is None:  # the parser's position did not hold the placeholder
            continue
        pieces += [html[done:start], mint(match)]
        done = end
    return "".join(pieces) + html[done:]


def personal_links_expand(*, message) -> tuple[str, str, str]:
    """The (subject, text_body, html_body) of an outbox row as its recipient gets them:
    each placeholder that stands as a link of its own replaced by a link minted now
    for `message.person` alone (see the module text).

    Called by the delivery worker right before it builds the email; the row itself
    is not changed, so the outbox never holds what this returns."""
    subject, text, html = message.subject, message.text_body, message.html_body or ""
    if not any(PLACEHOLDER_PATH in part for part in (subject, text, html)):
        return subject, text, html
    person = message.person if message.person_id else None
    minted: dict[str, str] = {}

    def mint(match: re.Match[str]) -> str:
        return _mint(match, person, minted)

    return (
        _text_expand(subject, mint),
        _text_expand(text, mint),
        _html_expand(html, mint) if PLACEHOLDER_PATH in html else html,
    )


# --- The sign-in kind, known here since messaging knows people ----------------------


def sign_in_link_mint(*, person: Person, ref: str) -> str | None:
    if ref != "-":
        return None  # a sign-in link is always the recipient's own; it names nobody
    return sign_in_link_create(person=person)


def sign_in_placeholder(*, next_path: str = "") -> str:
    """The placeholder for the recipient's one-time sign-in link (landing on `next_path`)."""
    return personal_link_placeholder(kind="sign-in", next_path=next_path)
