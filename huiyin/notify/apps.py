from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huiyin.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from huiyin.notify import receivers  # noqa: F401  (connects the signal receiver)
