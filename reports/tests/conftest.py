"""The small hand-made dataset with known answers, shared by the trends tests."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.models import NotArrestedReason
from cases.services.positive_action import outstanding_suspect_arrested
from cases.tests.factories import arrested, not_arrested
from publicprotection.accounts.tests.factories import UserFactory
from riskassessment.models import AssessmentStatus

from .factories import assessment, charge, incident, review_at, suspect, victim


@pytest.fixture
def dataset():
    """Lambeth, the last month (A, B, C, G count; D is a draft; F is before the period):

    A  crime, charged      victim V1 (first)        suspect S1 ABH, arrested
    B  crime               victim V1 (repeat)       suspect S2 ABH, not arrested; review in time
    C  non-crime           victim V2 (first: D is a draft)   suspect S3 ABH, not arrested,
                                                    arrested later; review returned late
    D  draft               victim V2                suspect ABH
    F  crime, 100 days ago victim V3
    G  crime               victim V3 (repeat of F)  suspect S4 offence without power of arrest;
                                                    suspect S5 ABH, not arrested, review not due
    Southwark: one crime with a victim.
    Assessments: standard (awaiting review), high (confirmed), medium (draft: not counted).
    """
    now = timezone.now()
    actor = UserFactory()
    a = incident(actor=actor, days_ago=10)
    v1 = victim(a)
    arrested(suspect(a))
    charge(a)

    b = incident(actor=actor, days_ago=5)
    v1_again = victim(b, person=v1.person)
    decision_b = not_arrested(suspect(b))
    review_at(decision_b, submitted=now - timedelta(hours=10), reviewed=now - timedelta(hours=2))

    d = incident(actor=actor, days_ago=4, status="draft")
    v2_draft = victim(d)
    suspect(d)

    c = incident(actor=actor, days_ago=3, is_crime=False)
    v2 = victim(c, person=v2_draft.person)
    decision_c = not_arrested(suspect(c), reason=NotArrestedReason.SUSPECT_NOT_PRESENT)
    review_at(
        decision_c,
        submitted=now - timedelta(hours=48),
        reviewed=now - timedelta(hours=1),
        returned=True,
    )
    outstanding_suspect_arrested(
        actor=actor, decision_id=decision_c.pk, arrested_at=now - timedelta(hours=1),
        arrested_by="PC 9",
    )  # fmt: skip

    f = incident(actor=actor, days_ago=100)
    v3 = victim(f)
    g = incident(actor=actor, days_ago=2)
    victim(g, person=v3.person)
    suspect(g, offence="no_power")
    decision_g = not_arrested(suspect(g), reason=NotArrestedReason.INSUFFICIENT_GROUNDS)

    victim(incident(actor=actor, days_ago=6, borough="SOU"))

    assessment(v1, level="standard")
    assessment(v2, level="high", status=AssessmentStatus.CONFIRMED)
    assessment(v1_again, level="medium", status=AssessmentStatus.DRAFT)
    today = timezone.localdate()
    return SimpleNamespace(
        start=today - timedelta(days=30),
        end=today,
        actor=actor,
        incidents={"A": a, "B": b, "C": c, "G": g},
        v1=v1,
        decision_g=decision_g,
    )
