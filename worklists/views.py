"""The home page: what is waiting for the viewer, by role, each item linking to where the
work on it is finished. Roles without work lists (analyst, review lead, administrator) keep
the links to their pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from publicprotection.access.roles import has_role
from publicprotection.audit.services import access_log_record, access_log_record_lists
from publicprotection.pagination import paginate_without_count, query_string_without_page

from .forms import HomeBoroughForm
from .navigation import HOME_BOROUGH_SESSION_KEY, home_borough_id, request_work_lists
from .selectors import (
    ROLES_WITH_WORK_LISTS,
    chooses_borough,
    coordinator_borough_choices,
    count_all,
)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "worklists/home.html"
    http_method_names = ["get", "post"]

    def post(self, request, *args, **kwargs):
        """A London-wide coordinator chooses the borough their home shows (no JavaScript)."""
        if not chooses_borough(request.user):
            return redirect("home")
        form = HomeBoroughForm(request.POST, boroughs=coordinator_borough_choices(request.user))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(borough_form=form), status=400)
        borough_id = form.borough_id()
        if borough_id is None:
            request.session.pop(HOME_BOROUGH_SESSION_KEY, None)
            messages.success(request, "Showing the work of all of London.")
        else:
            request.session[HOME_BOROUGH_SESSION_KEY] = borough_id
            messages.success(request, f"Showing the work of {form.boroughs[str(borough_id)]}.")
        return redirect("home")

    def get_context_data(self, **kwargs):
        request = self.request
        lists = request_work_lists(request)
        count_all(lists)
        self._log_reads(lists)
        context = {**super().get_context_data(**kwargs), "work_lists": lists}
        if chooses_borough(request.user):
            boroughs = coordinator_borough_choices(request.user)
            borough_id = home_borough_id(request)
            context["borough_form"] = kwargs.get("borough_form") or HomeBoroughForm(
                initial={"borough": str(borough_id) if borough_id else ""}, boroughs=boroughs
            )
            context["home_borough"] = next((b for b in boroughs if b.pk == borough_id), None)
        return context

    def _log_reads(self, lists) -> None:
        """One access-log entry per kind of record shown, naming every one of them, and the
        people they are about where the list says who they are (WorkList.subjects)."""
        shown: dict[type, list] = {}
        about: dict[type, list] = {}
        for work_list in lists:
            if work_list.names_people and work_list.records:
                kind = type(work_list.records[0])
                shown.setdefault(kind, []).extend(work_list.records)
                about.setdefault(kind, []).extend(work_list.subjects_of(work_list.records))
        access_log_record_lists(
            request=self.request, lists=shown.values(), subjects=about.values()
        )  # one INSERT


class WorkListView(LoginRequiredMixin, TemplateView):
    """Every row of one of the viewer's home lists, a page at a time (for the lists that have
    no page of their own in the owning app). A role with no work lists (analyst, review lead,
    administrator) is refused outright; a list the viewer's role does not have is a 404."""

    template_name = "worklists/list.html"
    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_role(request.user, ROLES_WITH_WORK_LISTS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        request = self.request
        work_list = next(
            (wl for wl in request_work_lists(request) if wl.key == kwargs["key"]), None
        )
        if work_list is None:
            raise Http404("No such list")
        page = paginate_without_count(work_list.queryset, request.GET.get("page"))
        if work_list.names_people:
            access_log_record(
                request=request,
                objects=page.object_list,
                subjects=work_list.subjects_of(page.object_list),
            )
        return {
            **super().get_context_data(**kwargs),
            "list": work_list,
            "items": work_list.describe_all(page.object_list),
            "page_obj": page,
            "query_string_without_page": query_string_without_page(request),
        }


home = HomeView.as_view()
work_list = WorkListView.as_view()
