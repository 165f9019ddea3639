from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "marac"
    verbose_name = "MARAC and daily risk management meetings"

    def ready(self) -> None:
        # Register the tasks in every process, so the services can send them by name
        # (marac.broker) without importing the module that imports them.
        from . import tasks  # noqa: F401
