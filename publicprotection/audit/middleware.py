"""Attach the acting user, URL and client address to every change pghistory records."""

from pghistory.middleware import HistoryMiddleware

from publicprotection.client_address import client_ip


class AuditContextMiddleware(HistoryMiddleware):
    def get_context(self, request):
        context = super().get_context(request)
        context["ip"] = client_ip(request)
        context["method"] = request.method
        return context
