"""Existing confidential addresses get rows of their own (session 16's fix, for old data).

Until then every address with the same postcode and first line shared one row, holding the
text of whoever typed it first. Two ways that disclosed a refuge:
- a borough that typed the place later (for anyone, or as an incident's location) was shown
  the refuge's second line and town as the recording borough typed them;
- anyone typing the place from now on would still be matched to that row.

Here each confidential link moves to a copy of its row (the text its own pages showed), keyed
so nothing typed ever matches it. The place's row stays for the public links and for future
typing; if the history shows a confidential link's transaction created it, or cannot tell,
its second line and town were (or may have been) the refuge's typing, so they are cleared: a
public record loses a flat number rather than anyone being shown a refuge. The history keeps
every row's earlier text for the record.
"""

import uuid

from django.db import migrations


def _created_with_a_confidential_link(apps, address, confidential_link_ids) -> bool:
    """Did the transaction that inserted this row also insert one of its confidential links?

    Unknown (no insert event, e.g. history archived or data bulk-loaded) counts as yes."""
    AddressEvent = apps.get_model("cases", "AddressEvent")
    PersonAddressEvent = apps.get_model("cases", "PersonAddressEvent")
    created = AddressEvent.objects.filter(pgh_obj_id=address.pk, pgh_label="insert").first()
    if created is None:
        return True
    same_transaction = PersonAddressEvent.objects.filter(
        pgh_label="insert", pgh_obj_id__in=confidential_link_ids, address_id=address.pk
    )
    context = created.pgh_context_id
    if context is not None and same_transaction.filter(pgh_context_id=context).exists():
        return True
    # NOW() is the transaction's start: one transaction's events share it.
    return same_transaction.filter(pgh_created_at=created.pgh_created_at).exists()


def give_confidential_addresses_their_own_rows(apps, schema_editor):
    Address = apps.get_model("cases", "Address")
    PersonAddress = apps.get_model("cases", "PersonAddress")
    shared = (
        Address.objects.filter(residents__is_confidential=True)
        .exclude(match_key__startswith="confidential|")
        .distinct()
        .order_by("pk")
    )
    for address in shared.iterator():
        confidential_link_ids = list(
            PersonAddress.objects.filter(address=address, is_confidential=True).values_list(
                "pk", flat=True
            )
        )
        redact = _created_with_a_confidential_link(apps, address, confidential_link_ids)
        for link_id in confidential_link_ids:
            own = Address.objects.create(
                line_1=address.line_1,
                line_2=address.line_2,
                town=address.town,
                postcode=address.postcode,
                match_key=f"confidential|{uuid.uuid4().hex}",
            )
            PersonAddress.objects.filter(pk=link_id).update(address=own)
        if redact:
            Address.objects.filter(pk=address.pk).update(line_2="", town="London")


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_arrest_decision_borough")]

    operations = [
        migrations.RunPython(give_confidential_addresses_their_own_rows, migrations.RunPython.noop)
    ]
