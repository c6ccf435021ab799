"""Who is asking: the client address and the account name that sign-in throttling keys on.

django-axes calls both (AXES_CLIENT_IP_CALLABLE, AXES_USERNAME_CALLABLE), and the
sign-in-link limits use the same address, so every limit agrees on who the client is.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The address of the browser that sent `request`, as far as we can trust it.

    With TRUSTED_PROXY_COUNT = 0 (the default) it is REMOTE_ADDR, and X-Forwarded-For is
    ignored: any client can write that header, and trusting it would let an attacker
    pick a fresh address for every guess. Behind N proxies that each append the address
    they were reached from (nginx: `$proxy_add_x_forwarded_for`), the N-th entry from
    the right was written by our outermost proxy; everything left of it came from the
    client. (A small rule of our own rather than django-ipware: it is the whole of what
    the documented nginx setup needs, and easy to check.)
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        # A configured proxy did not add its entry: the request did not come through it
        # (or the proxy is set up differently from TRUSTED_PROXY_COUNT).
        logger.warning(
            "X-Forwarded-For has %d entries but TRUSTED_PROXY_COUNT is %d; using REMOTE_ADDR.",
            len(forwarded),
            count,
        )
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        logger.warning("X-Forwarded-For entry from the proxy is not an address; using REMOTE_ADDR.")
        return remote


def sign_in_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a sign-in attempt names, as throttling keys it: the email, trimmed and
    lower-cased (people sign in with any capitalisation of their address).

    Our sign-in page passes it to authenticate() as `username`; after a sign-in, axes
    asks with the account's own field (`email`) to clear the pair's failures.
    """
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email") or ""
    if not name and request is not None:
        name = request.POST.get("email") or request.POST.get("username") or ""
    return str(name).strip().lower()[:254]
