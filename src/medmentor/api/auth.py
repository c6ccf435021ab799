"""How callers prove who they are: a Bearer token for scripts, the session for the browser."""

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from medmentor.api import services
from medmentor.people.models import Person

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, a token made by `medmentor create-api-token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Person:
        try:
            return services.api_token_use(raw_token=token)
        except services.ApiTokenRefused as refused:
            # A wrong token is an error in its own right, not a reason to fall back
            # to the session: the script's author needs to hear about it.
            raise AuthenticationError(message=str(refused)) from refused


class BrowserSessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods.

    ninja's own SessionAuth checks CSRF before it knows whether anyone is signed in,
    so an anonymous POST would get 403 "CSRF" instead of 401; here the order is
    the one a caller can act on: first "sign in", then "send the CSRF token".
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: send the csrftoken cookie's value in the "
                "X-CSRFToken header, or use a Bearer token.",
            )
        return request.COOKIES.get(self.param_name, "")

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        if key is None or not request.user.is_authenticated:
            return None
        return request.user


api_auth = [ApiTokenAuth(), BrowserSessionAuth()]
