"""Audit search and record history, for administrators."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.views.generic import TemplateView

from publicprotection.access.roles import AUDITORS
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.pagination import query_string_without_page
from publicprotection.replica import ReplicaReadsMixin

from . import selectors
from .forms import AuditSearchForm
from .models import AccessLogEntry
from .services import access_log_record


class AuditSearchView(ReplicaReadsMixin, RoleRequiredMixin, TemplateView):
    allowed_roles = AUDITORS
    template_name = "audit/search.html"

    def get_context_data(self, **kwargs):
        form = AuditSearchForm(self.request.GET or None)
        reads = changes = None
        window = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            window = {
                "record": data["record"].strip(),
                "date_from": data["date_from"],
                "date_to": data["date_to"],
            }
            reads = selectors.access_log_search(
                username=data["username"],
                content_type=form.content_type(),
                object_id=data["record"].strip(),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            user_ids = None
            if data["username"]:
                # In any case, as the reads are searched (no two user names differ by case
                # only: accounts' constraint); none found, no changes.
                user_ids = list(
                    get_user_model()
                    .objects.filter(username__iexact=data["username"])
                    .values_list("pk", flat=True)
                )
            changes = selectors.change_events_search(
                user_ids=user_ids,
                model_label=data["record_type"],
                record=data["record"].strip(),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
            # No count(*) of the access log, and page numbers are bounded (MAX_PAGE): a deep
            # page of a log of millions cost seconds.
            reads = selectors.access_log_page(reads, self.request.GET.get("page"), per_page=50)
            self._log_search(form.criteria(page=reads.number), reads.object_list, changes)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page_obj": reads,
            "changes": changes,
            "query_string_without_page": query_string_without_page(self.request),
            **window,
        }

    def _log_search(self, criteria: str, reads: list, changes: list) -> None:
        """Reading the audit trail is a read like any other (who watches the watchers): the
        entries shown, named by id, with what was searched for as the purpose; a search that
        found nothing is logged too, naming none. Logged after the page was read, so a search
        never lists itself; later searches list it like any read (by this auditor's user name,
        say). The change events shown, when there were any, are a second entry."""
        access_log_record(
            request=self.request, objects=reads, model=AccessLogEntry, purpose=criteria
        )
        if changes:
            access_log_record(request=self.request, objects=changes, purpose=criteria)


class RecordHistoryView(ReplicaReadsMixin, RoleRequiredMixin, TemplateView):
    allowed_roles = AUDITORS
    template_name = "audit/record_history.html"

    def get_context_data(self, **kwargs):
        obj = selectors.auditable_record_get(model_label=kwargs["model_label"], pk=kwargs["pk"])
        history = selectors.record_history(obj=obj)
        # The page names the record and shows every value it ever held: the auditor's read is
        # a read like any other (logged after the reads shown were read, so not among them).
        access_log_record(request=self.request, obj=obj)
        return {
            **super().get_context_data(**kwargs),
            "record": obj,
            "record_type": obj._meta.verbose_name,
            **history,
        }
