"""Keep survey links out of log records (privacy rule 2; plain logging, no Django import,
so settings.LOGGING can name it before the apps load).

A respondent's answering link carries their invitation token, and a draft link their
draft token. Django writes the path of every 4xx and 5xx answer to `django.request`
("Not Found: /surveys/answer/<token>/"), CSRF refusals to `django.security.csrf`, and
runserver every request line to `django.server`: each with the time, which could tie a
person's link to the moment they answered. The filter replaces the tokens with "…"
in the message and its arguments, and drops the request object that Django attaches
for the admin email (it holds the full URL); records that hold no survey link pass
unchanged.
"""

import logging
import re

REDACTED = "…"
# /surveys/answer/<token>/ and /surveys/resume/<token>/, and a ?draft=<token> parameter;
# and, the same way, the token of a sign-in link (/sign-in/link/<token>/), which runserver
# writes in its request lines, of a "we met" link (/meetings/we-met/<token>/), of a
# conference ask's answer link (/conference/answer/<token>/) and of a calendar feed
# (/meetings/calendar/<token>.ics, polled by calendar programs).
SURVEY_LINK = re.compile(
    r"(/surveys/(?:answer|resume)/|/sign-in/link/|/meetings/we-met/|/meetings/calendar/"
    r"|/conference/answer/)"
    r"[^/?#\s\"']+"
)
DRAFT_PARAMETER = re.compile(r"([?&]draft=)[^&#\s\"']+")


def survey_links_redact(text: str) -> str:
    """`text` with every survey token replaced by "…"."""
    text = SURVEY_LINK.sub(rf"\g<1>{REDACTED}", text)
    return DRAFT_PARAMETER.sub(rf"\g<1>{REDACTED}", text)


def _redact(value):
    return survey_links_redact(value) if isinstance(value, str) else value


class SurveyLinkFilter(logging.Filter):
    """Redacts survey tokens in a record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact(value) for key, value in record.args.items()}
        request = getattr(record, "request", None)
        full_path = getattr(request, "get_full_path", None)
        path = full_path() if callable(full_path) else getattr(request, "path", None)
        if isinstance(path, str) and survey_links_redact(path) != path:
            record.request = None
        return True
