"""Assessing a victim: start from the incident, answer factor by factor, set the level, submit."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.generic import TemplateView

from cases import converters  # noqa: F401 - registers <incident_ref:...>
from cases.models import PartyRole
from cases.selectors.incidents import incident_get
from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, has_role
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.errors import StateError
from publicprotection.service_forms import (
    ServiceActionView,
    ServiceFormMixin,
    add_service_errors,
    database_busy,
)

from ..access_log import assessment_label
from ..forms.assessments import AssessmentForm, StartAssessmentForm
from ..models import AnswerValue, Instrument, Level, RiskAssessment
from ..scoring import QuestionInfo, recommend
from ..selectors.assessments import assessment_get, current_risks, incident_assessments
from ..services import assessments as services


class IncidentRiskView(RoleRequiredMixin, TemplateView):
    """The victims of an incident and their assessments, with start and reassess buttons."""

    allowed_roles = CASE_READERS
    template_name = "riskassessment/assessments/incident.html"

    def get_context_data(self, **kwargs):
        incident = incident_get(viewer=self.request.user, reference=kwargs["reference"])
        assessments = list(incident_assessments(viewer=self.request.user, incident=incident))
        victims = [p for p in incident.parties.all() if p.is_victim]
        # The page shows each victim's assessments (levels, who set them): one entry, for the
        # incident, about its victims (so it is in their record history too).
        access_log_record(
            request=self.request,
            obj=incident,
            label=incident.reference,
            subjects=[victim.person_id for victim in victims],
        )
        london = current_risks(viewer=self.request.user, person_ids={v.person_id for v in victims})
        rows = []
        for victim in victims:
            mine = [a for a in assessments if a.victim_id == victim.pk]
            current = next((a for a in mine if a.is_current), None)
            rows.append(
                {
                    "victim": victim,
                    "current": current,
                    "history": mine,
                    "london": london.get(victim.person_id),
                }
            )
        return {
            **super().get_context_data(**kwargs),
            "incident": incident,
            "rows": rows,
            "can_write": has_role(self.request.user, CASE_WRITERS),
            "instruments": Instrument.objects.filter(is_active=True),
            "start_form": StartAssessmentForm(),
        }


class AssessmentStartView(RoleRequiredMixin, ServiceActionView):
    """The start (or reassess) button by a victim, with its instrument radios."""

    allowed_roles = CASE_WRITERS

    def load(self):
        self.incident = incident_get(viewer=self.request.user, reference=self.kwargs["reference"])
        self.victim = self.incident.parties.filter(
            pk=self.kwargs["party_id"], role=PartyRole.VICTIM
        ).first()
        if self.victim is None:
            raise Http404

    def perform(self):
        form = StartAssessmentForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a risk instrument.")
        return services.assessment_start(
            actor=self.request.user,
            victim=self.victim,
            instrument=form.cleaned_data["instrument"],
            reassessment_reason=form.cleaned_data["reassessment_reason"],
        )

    def get_success_url(self, assessment) -> str:
        return reverse("riskassessment:assessment-detail", args=[assessment.pk])

    def back_url(self) -> str:
        return reverse("riskassessment:incident-risk", args=[self.incident.reference])


def _questions(assessment):
    return [answer.question for answer in assessment.answers.all()]


class AssessmentDetailView(
    RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin, TemplateView
):
    """The assessment form while it is a draft; the record with its reviews afterwards. Every
    rendering logs the read of the victim, labelled with the assessment (a refused form shows
    the whole page again)."""

    allowed_roles = CASE_READERS
    template_name = "riskassessment/assessments/detail.html"

    def get_assessment(self):
        self.assessment = assessment_get(viewer=self.request.user, assessment_id=self.kwargs["pk"])
        return self.assessment

    def logged_record(self):
        # The page is the victim's record (name, every answer): logged as a read of the person,
        # labelled with the assessment read, so it is in their record history as it always was.
        return self.assessment.person

    def logged_label(self) -> str:
        return assessment_label(self.assessment)

    def saved_meanwhile(self):
        # A stale save keeps what was typed on the version now saved, so saving again (after
        # checking the other change) is a deliberate choice that works.
        return RiskAssessment.objects.only("version").get(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        assessment = services.assessment_with_current_escalation(
            kwargs.pop("assessment", None) or self.get_assessment()
        )
        editable = assessment.can_edit() and has_role(self.request.user, CASE_WRITERS)
        form = kwargs.pop("form", None)
        if form is None and editable:
            form = AssessmentForm(
                initial=AssessmentForm.initial_for(assessment), questions=_questions(assessment)
            )
        gaps = [
            a.question.text for a in assessment.answers.all() if a.value == AnswerValue.NOT_KNOWN
        ]
        return {
            **super().get_context_data(**kwargs),
            "assessment": assessment,
            "form": form,
            "editable": editable,
            "information_gaps": gaps,
            "can_edit_plan": has_role(self.request.user, CASE_WRITERS) and assessment.is_current,
            "problems": kwargs.get("problems", {}),
        }

    def get(self, request, *args, **kwargs):
        assessment = self.get_assessment()
        return self.render_to_response(self.get_context_data(assessment=assessment))

    def post(self, request, *args, **kwargs):
        if not has_role(request.user, CASE_WRITERS):
            raise PermissionDenied
        assessment = self.get_assessment()
        if not assessment.can_edit():
            messages.error(request, "This assessment has been submitted and cannot be changed.")
            return redirect("riskassessment:assessment-detail", assessment.pk)
        form = AssessmentForm(request.POST, questions=_questions(assessment))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(assessment=assessment, form=form))
        saved = self.run_service(
            form,
            services.assessment_save,
            actor=request.user,
            assessment_id=assessment.pk,
            expected_version=form.cleaned_data["version"],
            answers=form.answers(),
            **form.officer_fields(),
        )
        if "submit" not in request.POST:
            messages.success(request, "Draft saved. The recommendation has been updated.")
            return redirect(
                f"{reverse('riskassessment:assessment-detail', args=[saved.pk])}#recommendation"
            )
        try:
            services.assessment_submit(actor=request.user, assessment_id=saved.pk)
        except (ValidationError, StateError) as error:
            fresh, form = self._form_after_saving()
            problems = (
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
            plan_problem = problems.pop("plan", None)
            add_service_errors(form, ValidationError(problems) if problems else ValidationError([]))
            if plan_problem:
                form.add_error(None, plan_problem)
            return self.render_to_response(self.get_context_data(assessment=fresh, form=form))
        except OperationalError as error:
            if not database_busy(error):
                raise
            # The draft is saved (its own transaction); only the submission was refused.
            fresh, form = self._form_after_saving()
            form.add_error(
                None,
                "Your answers were saved as a draft, but the database was too busy to submit "
                "the assessment just now. Submit it again.",
            )
            response = self.render_to_response(
                self.get_context_data(assessment=fresh, form=form), status=503
            )
            response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
            return response
        messages.success(request, "Assessment submitted. A supervisor will review the grading.")
        return redirect("riskassessment:assessment-detail", saved.pk)

    def _form_after_saving(self):
        """The draft as now saved, and the form as typed on its version: submitting again is
        safe."""
        fresh = self.get_assessment()
        form = AssessmentForm(self.request.POST.copy(), questions=_questions(fresh))
        form.data["version"] = fresh.version
        form.is_valid()
        return fresh, form


class RecommendationPreviewView(RoleRequiredMixin, TemplateView):
    """htmx: the live recommendation for the answers on the form, without saving them."""

    allowed_roles = CASE_WRITERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        assessment = assessment_get(viewer=request.user, assessment_id=kwargs["pk"])
        questions = _questions(assessment)
        answers = {
            q.code: request.POST.get(f"answer_{q.code}", AnswerValue.NOT_KNOWN) for q in questions
        }
        result = recommend(
            rule=assessment.instrument.scoring_rule,
            parameters=assessment.rule_parameters,
            questions=[QuestionInfo(q.code, q.text, q.group) for q in questions],
            answers=answers,
        )
        return render(
            request,
            "riskassessment/assessments/includes/recommendation.html",
            {
                "level": result.level,
                "level_label": Level(result.level).label,
                "reasons": result.reasons,
                "information_gaps": result.information_gaps,
                "assessment": assessment,
                "drafting": True,
            },
        )


urlpatterns = [
    path(
        "incidents/<incident_ref:reference>/",
        IncidentRiskView.as_view(),
        name="incident-risk",
    ),
    path(
        "incidents/<incident_ref:reference>/victims/<int:party_id>/assess/",
        AssessmentStartView.as_view(),
        name="assessment-start",
    ),
    path("assessments/<int:pk>/", AssessmentDetailView.as_view(), name="assessment-detail"),
    path(
        "assessments/<int:pk>/recommendation/",
        RecommendationPreviewView.as_view(),
        name="assessment-recommendation",
    ),
]
