"""The MARAC quarterly data return: choose a MARAC and a quarter; figures with their
definitions; CSV. Counts only."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.generic import TemplateView

from publicprotection.london_time import london_today

from ..selectors.data_returns import (
    can_read_data_returns,
    current_quarter,
    data_return,
    parse_quarter,
    teams_visible_to,
)


def data_return_rows(result) -> list[tuple[str, str, str]]:
    d = result.definitions
    rows = [
        ("Meetings held", str(result.meetings), d["meetings"]),
        ("Cases discussed", str(result.cases_discussed), d["cases_discussed"]),
        ("Repeat cases", str(result.repeat_cases), d["repeat_cases"]),
        ("Children in the households", str(result.children), d["children"]),
        ("Male victims", str(result.male_victims), d["male_victims"]),
        ("Victims aged 16 or 17", str(result.aged_16_17), d["aged_16_17"]),
        ("Ethnic minority victims", str(result.ethnic_minority), d["ethnic_minority"]),
        ("Ethnicity not stated", str(result.ethnicity_not_stated), d["ethnic_minority"]),
        ("LGBT+ victims", result.lgbt, d["lgbt"]),
        ("Victims recorded as disabled", str(result.disabled), d["disabled"]),
    ]
    for agency, count in result.referrals_by_agency:
        rows.append((f"Referred by: {agency}", str(count), d["referrals_by_agency"]))
    return rows


def resolve(request, team_code: str, quarter: str):
    """The team (scoped; 404 outside) and the quarter (default: the current one)."""
    teams = teams_visible_to(viewer=request.user)
    quarter = quarter or current_quarter(london_today())
    if parse_quarter(quarter) is None:
        raise Http404("Quarter must look like 2025-Q3")
    team = teams.filter(code=team_code).first() if team_code else None
    if team_code and team is None:
        raise Http404("No such MARAC")
    return teams, team, quarter


class DataReturnView(LoginRequiredMixin, TemplateView):
    template_name = "homicidereviews/data_return.html"
    as_csv = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_data_returns(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        teams, team, quarter = resolve(
            request, request.GET.get("team", ""), request.GET.get("quarter", "")
        )
        result = data_return(team=team, quarter=quarter) if team else None
        if self.as_csv:
            if result is None:
                raise Http404("Choose a MARAC")
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow([f"MARAC data return: {team.name}, {quarter}"])
            writer.writerow(["figure", "value", "definition"])
            writer.writerows(data_return_rows(result))
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="marac-data-return-{team.code}-{quarter}.csv"'
            )
            return response
        return self.render_to_response(
            {
                "teams": teams,
                "team": team,
                "quarter": quarter,
                "result": result,
                "rows": data_return_rows(result) if result else [],
            }
        )


urlpatterns = [
    path("marac-data-return/", DataReturnView.as_view(), name="data-return"),
    path("marac-data-return.csv", DataReturnView.as_view(as_csv=True), name="data-return-csv"),
]
