"""The offence catalogue. A force can change it (data, not code); this is the default.

Migration 0002 loads its own copy; tests reload it from here after a flush
(tests/test_reference_data.py keeps the two equal, so a change here needs a data migration)."""

# (code, name, power of arrest, seriousness: higher is more serious, for escalation)
OFFENCE_TYPES: list[tuple[str, str, bool, int]] = [
    ("common_assault", "Common assault", True, 2),
    ("abh", "Actual bodily harm (ABH)", True, 4),
    ("gbh", "Grievous bodily harm (GBH)", True, 7),
    ("criminal_damage", "Criminal damage", True, 2),
    ("threats_to_kill", "Threats to kill", True, 6),
    ("harassment", "Harassment", True, 3),
    ("stalking", "Stalking", True, 5),
    ("coercive_control", "Controlling or coercive behaviour", True, 5),
    ("strangulation", "Non-fatal strangulation", True, 6),
    ("rape", "Rape", True, 9),
    ("sexual_assault", "Sexual assault", True, 6),
    ("breach_of_order", "Breach of order", True, 3),
    ("breach_of_bail", "Breach of bail", True, 2),
    ("other", "Other", True, 1),
]


def load_reference_data(apps=None) -> None:
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    offence_type = apps.get_model("cases", "OffenceType")
    for code, name, power_of_arrest, seriousness in OFFENCE_TYPES:
        offence_type.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "power_of_arrest": power_of_arrest,
                "seriousness": seriousness,
            },
        )
