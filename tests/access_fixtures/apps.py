from django.apps import AppConfig


class AccessFixturesConfig(AppConfig):
    name = "tests.access_fixtures"
    label = "access_fixtures"
