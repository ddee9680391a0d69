from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county (`huiyin demo`, `manage.py demo_data`): above every module it fills."""

    name = "huiyin.demo"
    label = "demo"
    verbose_name = "示范数据"
