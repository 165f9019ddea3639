"""The police chronology page, filterable by period, and its CSV and PDF exports (logged in the
access log as EXPORT)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.urls import path
from django.views import View
from django.views.generic import TemplateView

from publicprotection.audit.models import AccessAction, AccessChannel
from publicprotection.govuk_forms import DateInput, GovukFormMixin
from publicprotection.replica import ReplicaReadsMixin

from ..exports import chronology_csv, chronology_pdf, chronology_read_log
from ..selectors import reviews as selectors
from ..selectors.chronology import MARKERS, chronology_for
from .access import ReviewerRequiredMixin


class PeriodForm(GovukFormMixin, forms.Form):
    start = forms.DateField(label="From", required=False, widget=DateInput)
    end = forms.DateField(label="To", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period must be on or after its start")
        return data


def period(request) -> tuple[PeriodForm, dict]:
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"]}
    return form, {"start": None, "end": None}


class ChronologyView(ReplicaReadsMixin, ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/chronology.html"

    def get(self, request, *args, **kwargs):
        review = selectors.review_get(viewer=request.user, review_id=kwargs["pk"])
        form, dates = period(request)
        chronology = chronology_for(review=review, **dates)
        chronology_read_log(request=request, review=review, label=f"{review.reference} chronology")
        status = 400 if form.is_bound and form.errors else 200
        context = {
            "review": review,
            "form": form,
            "chronology": chronology,
            "markers": MARKERS,
            "query": request.GET.urlencode(),
        }
        return self.render_to_response(context, status=status)


class ChronologyExportView(ReplicaReadsMixin, ReviewerRequiredMixin, View):
    kind = "csv"

    def get(self, request, pk):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        _, dates = period(request)
        chronology = chronology_for(review=review, **dates)
        filename = f"{review.reference}-police-chronology.{self.kind}"
        if self.kind == "csv":
            body = chronology_csv(chronology, base_url=request.build_absolute_uri("/")[:-1])
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                chronology_pdf(chronology, viewer=request.user), content_type="application/pdf"
            )
        # Logged once the file exists, as it goes out: a build that failed part way (a replica
        # gone, the view run again from the primary) gave nothing out and logs nothing.
        chronology_read_log(
            request=request,
            review=review,
            action=AccessAction.EXPORT,
            channel=AccessChannel.DOCUMENT,
            label=f"{review.reference} chronology ({self.kind.upper()})",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("<int:pk>/chronology/", ChronologyView.as_view(), name="review-chronology"),
    path(
        "<int:pk>/chronology.csv",
        ChronologyExportView.as_view(kind="csv"),
        name="review-chronology-csv",
    ),
    path(
        "<int:pk>/chronology.pdf",
        ChronologyExportView.as_view(kind="pdf"),
        name="review-chronology-pdf",
    ),
]
