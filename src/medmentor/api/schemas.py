"""Schemas shared by every router: the error body, pagination, and the error responses."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Far beyond any real list, and far inside every database's integer range: a huge
# offset gets a clear 422 instead of an overflow deep in the database driver.
MAX_OFFSET = 1_000_000
# Ids in paths and bodies stay inside a signed 64-bit integer, the range of the
# database's id columns on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in plain words.")


class ValidationErrorOut(Schema):
    detail: str = Field(description="What went wrong, naming each bad field and value.")
    errors: list[dict[str, Any]] = Field(
        description="One entry per bad field: where (`loc`), what (`msg`), the error `type`."
    )


class Pages(LimitOffsetPagination):
    """limit/offset pagination; the answer holds `items` and the total `count`."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return (1–200)."
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description="How many items to skip from the start."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


# The error answers every operation may give, declared so that the OpenAPI schema
# (and schemathesis, which checks answers against it) knows them.
READ_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
