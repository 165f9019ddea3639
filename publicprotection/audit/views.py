"""Audit search and record history, for administrators."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from publicprotection.access.roles import AUDITORS
from publicprotection.access.views import RoleRequiredMixin

from . import selectors
from .forms import AuditSearchForm


class AuditSearchView(RoleRequiredMixin, TemplateView):
    allowed_roles = AUDITORS
    template_name = "audit/search.html"

    def get_context_data(self, **kwargs):
        form = AuditSearchForm(self.request.GET or None)
        reads = changes = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            reads = selectors.access_log_search(
                username=data["username"],
                content_type=form.content_type(),
                object_id=data["record"].strip(),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            user_id = None
            if data["username"]:
                user = get_user_model().objects.filter(username__iexact=data["username"]).first()
                user_id = user.pk if user else -1
            changes = selectors.change_events_search(
                user_id=user_id, date_from=data["date_from"], date_to=data["date_to"]
            )[:50]
            reads = Paginator(reads, 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page_obj": reads,
            "changes": changes,
            "query_string_without_page": f"{query.urlencode()}&" if query else "",
        }


class RecordHistoryView(RoleRequiredMixin, TemplateView):
    allowed_roles = AUDITORS
    template_name = "audit/record_history.html"

    def get_context_data(self, **kwargs):
        obj = selectors.auditable_record_get(model_label=kwargs["model_label"], pk=kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "record": obj,
            "record_type": obj._meta.verbose_name,
            **selectors.record_history(obj=obj),
        }
