"""The JSON API root (django-ninja). Each app adds its router in `huiyin/<app>/api.py`."""

from ninja import NinjaAPI

api = NinjaAPI(title="Huiyin API", version="1", urls_namespace="api")
