"""Reading a person's record history in tests: the reads of records about them (ADR 0002)."""

from django.urls import reverse


def person_history(client, admin_user, person):
    """The person's record history page, as an administrator reads it."""
    client.force_login(admin_user)
    response = client.get(reverse("audit:record-history", args=["cases.person", person.pk]))
    assert response.status_code == 200
    return response


def reads_by(client, admin_user, person, user) -> list:
    """The reads `user` made that the person's record history lists."""
    reads = person_history(client, admin_user, person).context["reads"]
    return [entry for entry in reads if entry.user == user]
