"""The NinjaAPI instance; routers are added per resource."""

from ninja import NinjaAPI

api = NinjaAPI(title="Crimebook API", version="1", urls_namespace="api")
