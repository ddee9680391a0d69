from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "huiyin.open311"
    label = "open311"
    verbose_name = "Open311 GeoReport v2"

    def ready(self) -> None:
        from huiyin.core import registry

        def georeport_error(request: object, status: int, message: str) -> object:
            from huiyin.open311.views import error  # the GeoReport error list, JSON or XML

            path = getattr(request, "path_info", "")
            return error("xml" if path.endswith(".xml") else "json", status, message)

        registry.declare(registry.Module(name="open311", error_surfaces={"/open311/": georeport_error}))
