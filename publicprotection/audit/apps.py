from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "publicprotection.audit"
    label = "audit"
    verbose_name = "Audit"
