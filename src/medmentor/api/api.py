"""The REST API: one NinjaAPI, one router module per app (see api/routers)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="medmentor API",
    version="1",
    description="Programs, people, weeks, cases and pairs, with the same permissions as the pages.",
    docs_url="/docs",
)
