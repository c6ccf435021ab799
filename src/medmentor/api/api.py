"""The REST API: one NinjaAPI, one router module per app (see api/routers).

Every operation needs a signed-in caller (a Bearer token or the browser session), and
every error is JSON with a `detail` message: 401 not signed in, 403 known but not
yours to see or touch, 404 unknown to you, 422 bad input.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError

from medmentor.api.auth import api_auth
from medmentor.api.routers import (
    curriculum,
    mentoring,
    people,
    programs,
    qualitative,
    roster,
    surveys,
)
from medmentor.programs.kinds import PageNotInKind
from medmentor.programs.services import WeekFinishedError


class MedmentorAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        # ninja drops the value the caller sent; keep it (as short text) so the message
        # can name it, as every bad-input message here does.
        error = super().validation_error_from_error_contexts(error_contexts)
        sent = [
            item.get("input")
            for context in error_contexts
            for item in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, value in zip(error.errors, sent, strict=False):
            item["input"] = value
        return error


api = MedmentorAPI(
    title="medmentor API",
    version="1",
    description=(
        "Programs, people, weeks, cases and pairs, with the same permissions as the "
        "pages. Authenticate with `Authorization: Bearer <token>` (make one with "
        "`medmentor create-api-token EMAIL NAME`) or, in the browser, the signed-in "
        "session (unsafe methods then need the `X-CSRFToken` header). Lists are "
        "paginated with `limit` (1–200, default 50) and `offset`; each answer holds "
        "`items` and the total `count`. A learner's progress (revealed answers, blind "
        "or read-first, reviewed or skipped) is never part of any answer."
    ),
    docs_url="/docs",
    # Swagger UI's default "valid" badge is an image from validator.swagger.io that
    # would send it our schema's address: hospital networks block it, and the Content
    # Security Policy refuses it. The files themselves are ninja's own static files.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=api_auth,
)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    message = error.message
    if message == "Unauthorized":  # ninja's default: say what to do instead
        message = "Sign in first, or send the header `Authorization: Bearer <token>`."
    return api.create_response(request, {"detail": message}, status=401)


def _place(location: tuple) -> str:
    # ("query", "offset") -> "offset (query)"; ninja puts the parameter group second.
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] in {"query", "path", "body", "header", "cookie", "form"}:
        where, rest = parts[0], [p for p in parts[1:] if p not in {"ninja_pagination", "payload"}]
        return f"{'.'.join(rest) or where} ({where})"
    return ".".join(parts)


def _given(item: dict) -> str:
    # Name the value the caller sent, shortened: "offset (query): … (got “-3”)".
    # A missing field has no value, and a whole body is too big to quote.
    value = item.get("input")
    if item.get("type") == "missing" or not isinstance(value, str | int | float):
        return ""
    text = str(value)
    return f" (got “{text[:40]}{'…' if len(text) > 40 else ''}”)"


@api.exception_handler(ValidationError)
def _bad_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in item.get("loc", ())],
            "msg": str(item.get("msg", "invalid")),
            "type": str(item.get("type", "invalid")),
        }
        for item in error.errors
    ]
    described = "; ".join(
        f"{_place(tuple(e['loc']))}: {e['msg']}{_given(item)}"
        for e, item in zip(errors, error.errors, strict=True)
    )
    return api.create_response(
        request, {"detail": f"Bad input — {described}", "errors": errors}, status=422
    )


@api.exception_handler(DjangoValidationError)
def _refused_by_service(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
    messages = " ".join(error.messages)
    return api.create_response(request, {"detail": messages, "errors": []}, status=422)


@api.exception_handler(WeekFinishedError)
def _week_finished(request: HttpRequest, error: WeekFinishedError) -> HttpResponse:
    # Not bad input and not a question of who asks: the week is over, and finished
    # weeks are frozen for everyone (docs/privacy.md).
    return api.create_response(request, {"detail": str(error)}, status=409)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    message = str(error) or "You may not see or change this."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(ObjectDoesNotExist)
def _unknown(request: HttpRequest, error: ObjectDoesNotExist) -> HttpResponse:
    message = str(error) or "Not found."
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(PageNotInKind)
def _not_this_kind(request: HttpRequest, error: PageNotInKind) -> HttpResponse:
    # A matching call on a case-review program, a weeks call on a one-to-one program:
    # the program has no such part, and the message says which kind has it.
    return api.create_response(request, {"detail": str(error)}, status=404)


@api.exception_handler(Http404)
def _no_such_path(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


def api_root(request: HttpRequest) -> HttpResponse:
    """/api/ itself: where the operations are described (ninja's own root is an HTML 404
    outside DEBUG)."""
    return api.create_response(
        request,
        {
            "detail": "medmentor API, version 1.",
            "docs": "/api/docs",
            "openapi": "/api/openapi.json",
        },
        status=200,
    )


def unknown_api_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under /api/ that no operation has: JSON like every other API error, not
    the site's HTML page (a script reading the answer would choke on HTML)."""
    return api.create_response(
        request,
        {"detail": f"No API operation at {request.path}; the operations are listed at /api/docs."},
        status=404,
    )


api.add_router("/", people.router)
api.add_router("/", programs.router)
api.add_router("/", roster.router)
api.add_router("/", curriculum.router)
api.add_router("/", mentoring.router)
api.add_router("/", surveys.router)
api.add_router("/", qualitative.router)
