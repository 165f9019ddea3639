from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _protect_after_migrate(using, plan=None, **kwargs):
    """After every `migrate`: the append-only triggers on every audit table (those a migration
    just created too), and the application's grants when its role exists. Not after `flush`
    (which sends post_migrate without a plan): emptying tables changes neither."""
    if plan is None:
        return
    from django.conf import settings

    from .database import app_role_exists, grant_app_role, protect_audit_trail

    protect_audit_trail(using)
    role = settings.DATABASE_APP_ROLE
    if role and app_role_exists(role, using):
        grant_app_role(role, using)


class AuditConfig(AppConfig):
    name = "publicprotection.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        post_migrate.connect(_protect_after_migrate, sender=self)
