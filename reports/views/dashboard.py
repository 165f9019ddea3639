"""The trends dashboard: the page, its CSV and PDF exports, and "Refresh now".

Thin: the role is checked first (403), the area through the selector (another borough is a
404), then the content is built once (reports.dashboard) and rendered as HTML, CSV or PDF.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from publicprotection.access.roles import ANALYSTS, TRENDS_REFRESHERS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessAction, AccessChannel
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today
from publicprotection.replica import ReplicaReadsMixin

from .. import selectors
from ..dashboard import TABLE_KEYS, build_dashboard
from ..exports import table_csv
from ..figures import figures
from ..forms import DashboardForm
from ..models import DailyBoroughFigures
from ..pdf import dashboard_pdf
from ..services import rollup_refresh_recent
from ..tasks import NIGHTLY_DAYS, refresh_rollup

logger = logging.getLogger(__name__)

# When the queue cannot be reached, "Refresh now" recomputes this many days in the request.
SYNCHRONOUS_REFRESH_DAYS = 35


class DashboardMixin(ReplicaReadsMixin, RoleRequiredMixin):
    allowed_roles = ANALYSTS

    @cached_property
    def today(self) -> date:
        return london_today()

    @cached_property
    def borough(self) -> Borough | None:
        return selectors.dashboard_area(
            viewer=self.request.user, borough_code=self.request.GET.get("borough") or None
        )

    @cached_property
    def form(self) -> DashboardForm:
        data = self.request.GET.copy()
        if not any(key.startswith(("start", "end")) for key in data):  # start, start_day...
            # The default comparison: the last twelve months up to today.
            data["start"] = (self.today.replace(day=1) - timedelta(days=335)).replace(day=1)
            data["end"] = self.today
        data["borough"] = self.borough.code if self.borough else ""
        return DashboardForm(
            data,
            boroughs=selectors.visible_boroughs(viewer=self.request.user),
            today=self.today,
        )

    @cached_property
    def dashboard(self):
        period = None
        if self.form.is_valid():
            period = (self.form.cleaned_data["start"], self.form.cleaned_data["end"])
        return build_dashboard(
            viewer=self.request.user, borough=self.borough, today=self.today, period=period
        )

    def export_query(self) -> str:
        params = {"borough": self.borough.code if self.borough else ""}
        if self.form.is_valid():
            params["start"] = self.form.cleaned_data["start"].isoformat()
            params["end"] = self.form.cleaned_data["end"].isoformat()
        return urlencode({k: v for k, v in params.items() if v})

    def log_export(self, label: str) -> None:
        # The export is of aggregate figures, not of a case record: it is logged against the
        # rollup table itself; the path keeps the area and period asked for.
        access_log_record(
            request=self.request,
            obj=ContentType.objects.get_for_model(DailyBoroughFigures),
            action=AccessAction.EXPORT,
            channel=AccessChannel.DOCUMENT,
            label=f"{label}: {self.dashboard.area_name}",
        )


class DashboardView(DashboardMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "form": self.form,
            "dashboard": self.dashboard,
            "borough": self.borough,
            "last_refresh": selectors.last_refresh(),
            "export_query": self.export_query(),
            "can_refresh": has_role(self.request.user, TRENDS_REFRESHERS),
            "pan_london": viewer_borough_id(self.request.user) is None,
            "definitions": figures(),
        }


class DashboardCsvView(DashboardMixin, View):
    def get(self, request, *args, **kwargs):
        key = request.GET.get("table", "")
        if key not in TABLE_KEYS:
            raise Http404("No such table")
        table = self.dashboard.table(key)
        if table is None:  # a comparison without a valid period
            raise Http404("Choose a valid comparison period first")
        body = table_csv(
            table=table, area_name=self.dashboard.area_name, generated_at=timezone.localtime()
        )
        self.log_export(f"Trends CSV {key}")
        area = self.borough.code if self.borough else "london"
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="trends-{area}-{key}.csv"'
        response["Cache-Control"] = "no-store"
        return response


class DashboardPdfView(DashboardMixin, View):
    def get(self, request, *args, **kwargs):
        pdf = dashboard_pdf(
            dashboard=self.dashboard,
            last_refresh=selectors.last_refresh(),
            base_url=request.build_absolute_uri("/"),
        )
        self.log_export("Trends PDF")
        area = self.borough.code if self.borough else "london"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="trends-{area}.pdf"'
        response["Cache-Control"] = "no-store"
        return response


class RefreshView(RoleRequiredMixin, View):
    """Queue a recomputation of the rollup; without a queue, refresh recent days at once."""

    allowed_roles = TRENDS_REFRESHERS

    def post(self, request, *args, **kwargs):
        # Enqueued directly, not on commit: this request writes nothing the task must wait
        # for, and a broker error has to surface here to fall back instead of failing.
        try:
            refresh_rollup.apply_async(kwargs={"days": NIGHTLY_DAYS}, retry=False)
        # The broker is down or unreachable (Celery wraps the Redis client's errors in kombu's,
        # but not every path does, and a socket timeout is an OSError).
        except (KombuOperationalError, RedisError, OSError):
            logger.exception("Could not queue the trends refresh; refreshing recent days now")
            rollup_refresh_recent(days=SYNCHRONOUS_REFRESH_DAYS)
            messages.warning(
                request,
                f"The background queue is unavailable, so only the last "
                f"{SYNCHRONOUS_REFRESH_DAYS} days were refreshed now. Older figures are "
                "refreshed overnight.",
            )
        else:
            messages.success(
                request,
                f"The figures for the last {NIGHTLY_DAYS} days are being refreshed. Reload the "
                "page in a few minutes.",
            )
        return redirect(reverse("reports:dashboard"))


urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("dashboard.csv", DashboardCsvView.as_view(), name="dashboard-csv"),
    path("dashboard.pdf", DashboardPdfView.as_view(), name="dashboard-pdf"),
    path("refresh/", RefreshView.as_view(), name="refresh"),
]
