from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "publicprotection.idempotency"
    label = "idempotency"
    verbose_name = "Idempotent requests"
