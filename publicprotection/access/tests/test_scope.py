"""The access core: borough scope, pan-London reach, partner shares, one query."""

import pytest
from django.http import Http404
from guardian.shortcuts import assign_perm

from publicprotection.access.scope import get_visible_or_404, scope_to_viewer
from publicprotection.accounts.models import Borough
from tests.access_fixtures.models import SharedRecord, SharedRecordGroupObjectPermission

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    lam, sou = Borough.objects.get(code="LAM"), Borough.objects.get(code="SOU")
    return {
        "lam": SharedRecord.objects.create(borough=lam, title="lam"),
        "sou": SharedRecord.objects.create(borough=sou, title="sou"),
    }


def visible(viewer):
    return set(
        scope_to_viewer(
            SharedRecord.objects.all(),
            viewer=viewer,
            borough_field="borough_id",
            share_model=SharedRecordGroupObjectPermission,
            share_codename="view_sharedrecord",
        ).values_list("title", flat=True)
    )


def test_borough_officer_sees_only_their_borough(records, lambeth_officer, southwark_officer):
    assert visible(lambeth_officer) == {"lam"}
    assert visible(southwark_officer) == {"sou"}


def test_central_team_and_administrators_see_all_london(records, central_officer, admin_user):
    assert visible(central_officer) == {"lam", "sou"}
    assert visible(admin_user) == {"lam", "sou"}


def test_analysts_see_no_case_record_whatever_the_selector_forgets(records, analyst):
    # Analysts read de-identified figures only; a selector that names no roles still
    # leaves them out.
    assert visible(analyst) == set()


def test_partner_sees_nothing_until_shared_then_only_the_share(records, partner):
    assert visible(partner) == set()

    assign_perm("view_sharedrecord", partner.agency.group, records["sou"])

    assert visible(partner) == {"sou"}
    # The share went into the direct foreign-key model, not guardian's generic table.
    assert SharedRecordGroupObjectPermission.objects.filter(content_object=records["sou"]).exists()


def test_another_agencys_share_is_not_visible(records, partner):
    from publicprotection.accounts.tests.factories import PartnerFactory

    other = PartnerFactory()
    assign_perm("view_sharedrecord", other.agency.group, records["lam"])

    assert visible(partner) == set()
    assert visible(other) == {"lam"}


def test_inactive_and_anonymous_viewers_see_nothing(records, lambeth_officer):
    from django.contrib.auth.models import AnonymousUser

    lambeth_officer.is_active = False
    assert visible(lambeth_officer) == set()
    assert visible(AnonymousUser()) == set()


def test_police_roles_limit_excludes_other_roles(records, analyst):
    from publicprotection.access.roles import CASE_WRITERS

    qs = scope_to_viewer(
        SharedRecord.objects.all(), viewer=analyst, borough_field="borough_id",
        police_roles=CASE_WRITERS,
    )  # fmt: skip
    assert list(qs) == []


def test_out_of_scope_and_missing_are_the_same_404(records, lambeth_officer):
    scoped = scope_to_viewer(
        SharedRecord.objects.all(), viewer=lambeth_officer, borough_field="borough_id"
    )
    with pytest.raises(Http404) as out_of_scope:
        get_visible_or_404(scoped, pk=records["sou"].pk)
    with pytest.raises(Http404) as missing:
        get_visible_or_404(scoped, pk=999_999)
    assert str(out_of_scope.value) == str(missing.value)


def test_partner_scope_is_one_query_however_many_shares(
    records, partner, django_assert_num_queries
):
    lam = Borough.objects.get(code="LAM")
    for n in range(20):
        record = SharedRecord.objects.create(borough=lam, title=f"r{n}")
        assign_perm("view_sharedrecord", partner.agency.group, record)
    with django_assert_num_queries(1):
        assert len(visible(partner)) == 20
