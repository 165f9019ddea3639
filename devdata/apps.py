from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Development-only data: the demo loaders (`seed_demo`) and the synthetic London-scale
    generator (`generate_synthetic`). Installed by the dev and test settings only, never by
    production's; it may read every app, and no app imports it (docs/adr/0011)."""

    name = "devdata"
    verbose_name = "Development data (demo and synthetic)"
