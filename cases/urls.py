from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("incidents/", views.IncidentListView.as_view(), name="incident-list"),
    path("incidents/<path:reference>/", views.IncidentDetailView.as_view(), name="incident-detail"),
]
