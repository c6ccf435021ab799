"""Text that becomes an email's subject must be one line.

A survey's title, a program's name and the weekly email's subject all end up in the
Subject header of emails; a line break there would let the text add headers of its
own, so the worker's email code refuses it (BadHeaderError) when it is too late: the
director long gone, the invitations unsent. Each place that saves such text asks
`line_break_problem` first and refuses in words.

Pure: imports nothing of ours, so every floor of the app may use it.
"""

# Every character Python's str.splitlines() ends a line at: mail programs and parsers
# differ on which of them break a header, so none is let through.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def has_line_break(value: str) -> bool:
    return any(character in LINE_BREAKS for character in value)


def line_break_problem(value: str, *, what: str) -> str:
    """ "" when `value` is one line; otherwise the refusal, naming `what` ("The title")."""
    if not has_line_break(value):
        return ""
    return (
        f"{what} must be one line: it becomes the subject of emails, and an email "
        "subject cannot hold a line break. Remove the line break."
    )
