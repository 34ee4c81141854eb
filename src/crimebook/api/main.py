"""The NinjaAPI instance: token authentication on every route, one error shape, and one
router per resource. Routes only parse, call a selector or service, and render."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from crimebook.api import (
    _handlers,
    acts,
    cases,
    communications,
    deployments,
    evidence,
    incidents,
    involvements,
    jobs,
    leads,
    persons,
    posts,
    search,
    sources,
    units,
)

api = NinjaAPI(
    title="Crimebook API",
    version="1",
    description=(
        "The register over HTTP. Authenticate with `Authorization: Bearer <token>`. Errors are "
        '`{"error": {"code", "message", "fields"}}`. Times are ISO 8601 with a UTC offset.'
    ),
    urls_namespace="api",
    auth=_handlers.BearerToken(),
    parser=_handlers.JsonParser(),
    # Swagger UI from ninja's own static files (ninja is an installed app), never a CDN; no
    # validator badge, which would send the schema's address to validator.swagger.io.
    docs=Swagger(settings={"persistAuthorization": False, "validatorUrl": None}),
    docs_decorator=_handlers.docs_guard,
)
_handlers.install(api)

for prefix, module in (
    ("/incidents", incidents),
    ("/acts", acts),
    ("/involvements", involvements),
    ("/persons", persons),
    ("/sources", sources),
    ("/units", units),
    ("/posts", posts),
    ("/deployments", deployments),
    ("/evidence", evidence),
    ("/communications", communications),
    ("/search", search),
    ("/cases", cases),
    ("/leads", leads),
    ("/jobs", jobs),
):
    api.add_router(prefix, module.router)

# Resources whose module holds two routers (their own prefixes).
from crimebook.api import cameras, staffing, vocabularies  # noqa: E402

api.add_router("/staffing", staffing.staffing_router)
api.add_router("/dismissals", staffing.dismissals_router)
api.add_router("/vocabularies", vocabularies.router)
api.add_router("/cameras", cameras.cameras_router)
api.add_router("/recordings", cameras.recordings_router)
