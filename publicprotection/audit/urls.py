from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditSearchView.as_view(), name="search"),
    path(
        "records/<str:model_label>/<str:pk>/",
        views.RecordHistoryView.as_view(),
        name="record-history",
    ),
]
