"""Recommendations (add, update), lessons (add), the open and overdue recommendations across
reviews, and the count of lessons by theme (analysts too: counts only, no names)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.views.generic import TemplateView

from publicprotection.access.scope import get_visible_or_404
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today
from publicprotection.pagination import paginate_without_count, query_string_without_page

from .. import services
from ..access_log import review_subjects
from ..forms import LessonForm, RecommendationForm
from ..models import HomicideReview, Recommendation
from ..selectors import reviews as selectors
from .access import ReviewerRequiredMixin


class RecommendationAddView(RecordPageReadLoggedMixin, ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/recommendation_form.html"

    def _review(self):
        self.review = selectors.review_get(viewer=self.request.user, review_id=self.kwargs["pk"])
        return self.review

    def logged_record(self) -> HomicideReview:
        # The page shows the review; a refused form shows it again.
        return self.review

    def logged_subjects(self):
        return review_subjects([self.review])

    def get(self, request, *args, **kwargs):
        review = self._review()
        return self.render_to_response({"form": RecommendationForm(), "review": review})

    def post(self, request, *args, **kwargs):
        review = self._review()
        self.extra_context = {"review": review}
        form = RecommendationForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("version", None)
            self.run_service(
                form, services.recommendation_add, actor=request.user, review_id=review.pk, **data
            )
            messages.success(request, "Recommendation added.")
            return redirect("homicidereviews:review-detail", pk=review.pk)
        return self.form_rejected(form, 400)


class RecommendationEditView(RecordPageReadLoggedMixin, ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/recommendation_form.html"

    def _recommendation(self) -> Recommendation:
        visible = Recommendation.objects.filter(
            review__in=selectors.reviews_visible_to(viewer=self.request.user)
        ).select_related("review")
        self.recommendation = get_visible_or_404(visible, pk=self.kwargs["pk"])
        return self.recommendation

    def logged_record(self) -> HomicideReview:
        # The page shows the review; a refused form shows it again.
        return self.recommendation.review

    def logged_subjects(self):
        return review_subjects([self.recommendation.review])

    def get(self, request, *args, **kwargs):
        recommendation = self._recommendation()
        fields = ("text", "owner_agency", "due_on", "status", "evidence", "completed_on")
        initial = {name: getattr(recommendation, name) for name in fields}
        initial["version"] = recommendation.version
        return self.render_to_response(
            {
                "form": RecommendationForm(initial=initial),
                "review": recommendation.review,
                "recommendation": recommendation,
            }
        )

    def post(self, request, *args, **kwargs):
        recommendation = self._recommendation()
        self.extra_context = {"review": recommendation.review, "recommendation": recommendation}
        form = RecommendationForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None) or 0
            self.run_service(
                form,
                services.recommendation_update,
                actor=request.user,
                recommendation_id=recommendation.pk,
                version=version,
                **data,
            )
            messages.success(request, "Recommendation saved.")
            return redirect("homicidereviews:review-detail", pk=recommendation.review_id)
        return self.form_rejected(form, 400)

    def saved_meanwhile(self):
        # As the review's form: the next save goes against the version now saved.
        return Recommendation.objects.only("version").get(pk=self.kwargs["pk"])


class LessonAddView(RecordPageReadLoggedMixin, ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/lesson_form.html"

    def _review(self):
        self.review = selectors.review_get(viewer=self.request.user, review_id=self.kwargs["pk"])
        return self.review

    def logged_record(self) -> HomicideReview:
        # The page shows the review; a refused form shows it again.
        return self.review

    def logged_subjects(self):
        return review_subjects([self.review])

    def get(self, request, *args, **kwargs):
        review = self._review()
        return self.render_to_response({"form": LessonForm(), "review": review})

    def post(self, request, *args, **kwargs):
        review = self._review()
        self.extra_context = {"review": review}
        form = LessonForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.lesson_add,
                actor=request.user,
                review_id=review.pk,
                **form.cleaned_data,
            )
            messages.success(request, "Lesson added.")
            return redirect("homicidereviews:review-detail", pk=review.pk)
        return self.form_rejected(form, 400)


class OpenRecommendationsView(ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/recommendations.html"

    def get_context_data(self, **kwargs):
        overdue_only = self.request.GET.get("overdue") == "1"
        page = paginate_without_count(
            selectors.recommendations_open(viewer=self.request.user, overdue_only=overdue_only),
            self.request.GET.get("page"),
        )
        reviews_shown = list(dict.fromkeys(r.review for r in page.object_list))
        access_log_record(
            request=self.request,
            objects=reviews_shown,
            subjects=review_subjects(reviews_shown),
        )
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "recommendations": page.object_list,
            "overdue_only": overdue_only,
            "today": london_today(),
            "query_string_without_page": query_string_without_page(self.request),
        }


class LessonThemesView(LoginRequiredMixin, TemplateView):
    """Counts of lessons by theme: no names, dates or review references."""

    template_name = "homicidereviews/lesson_themes.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            selectors.can_work_on_reviews(request.user) or selectors.viewer_is_analyst(request.user)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        themes = selectors.lesson_counts_by_theme(viewer=self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "themes": themes,
            "total": sum(t.lesson_count for t in themes),
        }


urlpatterns = [
    path("recommendations/", OpenRecommendationsView.as_view(), name="recommendation-list"),
    path("lessons/themes/", LessonThemesView.as_view(), name="lesson-themes"),
    path(
        "<int:pk>/recommendations/new/",
        RecommendationAddView.as_view(),
        name="recommendation-create",
    ),
    path(
        "recommendations/<int:pk>/edit/",
        RecommendationEditView.as_view(),
        name="recommendation-edit",
    ),
    path("<int:pk>/lessons/new/", LessonAddView.as_view(), name="lesson-create"),
]
