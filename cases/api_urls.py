from django.urls import path

from . import apis

urlpatterns = [
    path("incidents/", apis.IncidentListApi.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", apis.IncidentDetailApi.as_view(), name="incident-detail"),
]
