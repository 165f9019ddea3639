from datetime import timedelta

import factory
from django.utils import timezone

from cases.models import HowReported, Incident, IncidentStatus
from cases.services import incident_create
from publicprotection.accounts.models import Borough
from publicprotection.accounts.tests.factories import UserFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    """Incidents through the real service, so references are issued as in production."""

    class Meta:
        model = Incident

    actor = factory.SubFactory(UserFactory)
    borough = factory.LazyFunction(lambda: Borough.objects.get(code="LAM"))
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    reported_at = factory.LazyAttribute(lambda o: o.occurred_at + timedelta(minutes=10))
    how_reported = HowReported.EMERGENCY_999
    status = IncidentStatus.OPEN

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return incident_create(**kwargs)
