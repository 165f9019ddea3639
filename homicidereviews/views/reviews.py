"""Review pages: the list (with the steps past their deadline), one review, the create and
edit forms, and the notification letter's audited download. Thin: the door (403), the
selector (404), one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views import View
from django.views.generic import TemplateView

from publicprotection.audit.models import AccessAction, AccessChannel
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.private_files import audited_pdf_download

from .. import services
from ..access_log import review_subjects
from ..exports import notification_letter_pdf
from ..forms import ReviewForm
from ..models import HomicideReview
from ..selectors import reviews as selectors
from .access import ReviewerRequiredMixin


class ReviewListView(ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/list.html"

    def get_context_data(self, **kwargs):
        page = paginate_without_count(
            selectors.review_list(viewer=self.request.user), self.request.GET.get("page")
        )
        overdue = selectors.reviews_with_overdue_steps(viewer=self.request.user)
        shown = list(page.object_list) + [review for review, _ in overdue]
        access_log_record(request=self.request, objects=shown, subjects=review_subjects(shown))
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "reviews": page.object_list,
            "overdue": overdue,
            "today": london_today(),
            "query_string_without_page": query_string_without_page(self.request),
        }


class ReviewDetailView(ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/detail.html"

    def get(self, request, *args, **kwargs):
        review = selectors.review_get(viewer=request.user, review_id=kwargs["pk"])
        access_log_record(request=request, obj=review, subjects=review_subjects([review]))
        today = london_today()
        return self.render_to_response(
            {
                "review": review,
                "today": today,
                "overdue_steps": review.overdue_steps(today),
                "recommendations": list(review.recommendations.all()),
                "lessons": list(review.lessons.all()),
            }
        )


class ReviewCreateView(ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"form": ReviewForm(), "review": None})

    def post(self, request, *args, **kwargs):
        self.extra_context = {"review": None}
        form = ReviewForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.service_fields()
            review = self.run_service(form, services.review_create, actor=request.user, **data)
            messages.success(request, f"Review {review.reference} recorded.")
            return redirect("homicidereviews:review-detail", pk=review.pk)
        return self.form_rejected(form, 400)


class ReviewEditView(RecordPageReadLoggedMixin, ReviewerRequiredMixin, TemplateView):
    template_name = "homicidereviews/form.html"

    def logged_record(self) -> HomicideReview:
        # The form names the victim: a refused save shows it again.
        return self.review

    def logged_subjects(self):
        return review_subjects([self.review])

    def get(self, request, *args, **kwargs):
        review = self.review = selectors.review_get(viewer=request.user, review_id=kwargs["pk"])
        initial = {name: getattr(review, name) for name in services.REVIEW_FIELDS}
        initial.update(suspect_id=review.suspect_id, version=review.version)
        form = ReviewForm(initial=initial, editing=True)
        return self.render_to_response({"form": form, "review": review})

    def post(self, request, *args, **kwargs):
        review = self.review = selectors.review_get(viewer=request.user, review_id=kwargs["pk"])
        self.extra_context = {"review": review}
        form = ReviewForm(request.POST, request.FILES, editing=True)
        if form.is_valid():
            data = form.service_fields()
            self.run_service(
                form,
                services.review_update,
                actor=request.user,
                review_id=review.pk,
                version=form.cleaned_data.get("version") or 0,
                **data,
            )
            messages.success(request, f"Review {review.reference} saved.")
            return redirect("homicidereviews:review-detail", pk=review.pk)
        return self.form_rejected(form, 400)

    def saved_meanwhile(self):
        # A stale save keeps what was typed on the version now saved, so saving again (after
        # checking the other change) is a deliberate choice that works.
        return HomicideReview.objects.only("version").get(pk=self.kwargs["pk"])


class LetterDownloadView(ReviewerRequiredMixin, View):
    def get(self, request, pk):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        if not review.notification_letter:
            raise Http404("No letter")
        return audited_pdf_download(
            request,
            name=review.notification_letter.name,
            filename=f"{review.reference}-notification.pdf",
            logged_obj=review,
            subjects=review_subjects([review]),
        )


class LetterGenerateView(ReviewerRequiredMixin, View):
    """A draft notification letter, generated from the review (logged as an export)."""

    def get(self, request, pk):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        access_log_record(
            request=request,
            obj=review,
            action=AccessAction.EXPORT,
            channel=AccessChannel.DOCUMENT,
            label=f"{review.reference} notification letter",
            subjects=review_subjects([review]),
        )
        pdf = notification_letter_pdf(review, viewer=request.user, today=london_today())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{review.reference}-notification-draft.pdf"'
        )
        return response


urlpatterns = [
    path("<int:pk>/letter/draft/", LetterGenerateView.as_view(), name="review-letter-draft"),
    path("", ReviewListView.as_view(), name="review-list"),
    path("new/", ReviewCreateView.as_view(), name="review-create"),
    path("<int:pk>/", ReviewDetailView.as_view(), name="review-detail"),
    path("<int:pk>/edit/", ReviewEditView.as_view(), name="review-edit"),
    path("<int:pk>/letter/", LetterDownloadView.as_view(), name="review-letter"),
]
