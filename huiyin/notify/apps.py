from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huiyin.notify"
    label = "notify"
    verbose_name = "通知"
