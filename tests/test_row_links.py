"""`url_for_each` gives what `reverse` gives, for every link the pages build with it."""

import pytest
from django.urls import reverse

from publicprotection.row_links import INCIDENT_REFERENCE_SAMPLE, PK_SAMPLE, url_for_each

# (URL name, sample): each use in the views (cases' incident list, marac's home and referrals).
USES = [
    ("cases:incident-detail", INCIDENT_REFERENCE_SAMPLE),
    ("riskassessment:incident-risk", INCIDENT_REFERENCE_SAMPLE),
    ("marac:referral-detail", PK_SAMPLE),
]
VALUES = {
    INCIDENT_REFERENCE_SAMPLE: ["DV/LAM/2026/000001", "DV/SOU/1999/999999", "DV/AAA/0000/000000"],
    PK_SAMPLE: [1, 42, 987654321, 9_000_000_000],
}


@pytest.mark.parametrize(("name", "sample"), USES)
def test_each_value_gets_the_url_reverse_gives(name, sample):
    url_of = url_for_each(name, sample)
    for value in VALUES[sample]:
        assert url_of(value) == reverse(name, args=[value])
