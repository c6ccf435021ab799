"""Keep a signed-in session alive without writing it on every request.

Django either saves the session on every request (SESSION_SAVE_EVERY_REQUEST: one
UPDATE of the session row for each page view, the busiest write of the site) or only
when it changes (then the idle timeout runs from sign-in, not from the last use). This
middleware sits between: it touches the session at most once every
SESSION_REFRESH_INTERVAL seconds, so the idle timeout (SESSION_COOKIE_AGE) counts from
the last use to within that interval, and most page views write nothing.
"""

import time

from django.conf import settings

REFRESHED_AT = "_refreshed_at"


def _is_stale(session, now: int) -> bool:
    return now - int(session.get(REFRESHED_AT, 0)) >= settings.SESSION_REFRESH_INTERVAL


class SessionRefreshMiddleware:
    """Place right after Django's SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = int(time.time())
        # Only a kept session is renewed: a refresh never creates one for a visitor.
        if session.session_key and not session.is_empty() and _is_stale(session, now):
            session[REFRESHED_AT] = now
        response = self.get_response(request)
        # A session written anyway (signing in, a message) takes the time for free, so
        # the first page after signing in does not write it again.
        if session.modified and not session.is_empty() and _is_stale(session, now):
            session[REFRESHED_AT] = now
        return response
