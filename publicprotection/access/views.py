"""Role checks for HTML views and API views: default deny."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .roles import has_role


class RoleRequiredMixin(LoginRequiredMixin):
    """Only signed-in users whose role is in `allowed_roles` reach the view (403 otherwise)."""

    allowed_roles: frozenset = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def role_permission(roles: frozenset, name: str = "HasRole") -> type[BasePermission]:
    """A DRF permission class admitting only the given roles."""

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, roles)

    return type(name, (BasePermission,), {"has_permission": has_permission})
