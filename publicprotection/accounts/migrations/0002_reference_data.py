"""The default reference data, a copy of publicprotection/accounts/reference_data.py taken when migrations stopped
importing app code: a migration must not change with the code. A later change to the data
needs a migration of its own (tests/test_reference_data.py holds the two together)."""

from django.db import migrations

BOROUGHS: list[tuple[str, str]] = [
    ("BDG", "Barking and Dagenham"),
    ("BNT", "Barnet"),
    ("BEX", "Bexley"),
    ("BRE", "Brent"),
    ("BRO", "Bromley"),
    ("CAM", "Camden"),
    ("CRO", "Croydon"),
    ("EAL", "Ealing"),
    ("ENF", "Enfield"),
    ("GRE", "Greenwich"),
    ("HAC", "Hackney"),
    ("HAF", "Hammersmith and Fulham"),
    ("HGY", "Haringey"),
    ("HRW", "Harrow"),
    ("HAV", "Havering"),
    ("HIL", "Hillingdon"),
    ("HOU", "Hounslow"),
    ("ISL", "Islington"),
    ("KNC", "Kensington and Chelsea"),
    ("KNG", "Kingston upon Thames"),
    ("LAM", "Lambeth"),
    ("LEW", "Lewisham"),
    ("MER", "Merton"),
    ("NEW", "Newham"),
    ("RED", "Redbridge"),
    ("RIC", "Richmond upon Thames"),
    ("SOU", "Southwark"),
    ("SUT", "Sutton"),
    ("TOW", "Tower Hamlets"),
    ("WAL", "Waltham Forest"),
    ("WAN", "Wandsworth"),
    ("WES", "Westminster"),
]

CENTRAL_TEAM = ("CEN", "Central public protection team (pan-London)")

AGENCY_TYPES: list[tuple[str, str]] = [
    ("idva", "IDVA service"),
    ("childrens_social_care", "Children's social care"),
    ("adult_social_care", "Adult social care"),
    ("health", "Health"),
    ("probation", "Probation"),
    ("housing", "Housing"),
    ("education", "Education"),
    ("substance_misuse", "Substance misuse"),
    ("mental_health", "Mental health"),
    ("refuge_ngo", "Refuge / NGO"),
    ("other", "Other"),
]


def load(apps, schema_editor) -> None:
    borough_model = apps.get_model("accounts", "Borough")
    team_model = apps.get_model("accounts", "Team")
    agency_type_model = apps.get_model("accounts", "AgencyType")

    for code, name in BOROUGHS:
        borough, _ = borough_model.objects.update_or_create(code=code, defaults={"name": name})
        team_model.objects.update_or_create(
            code=code,
            defaults={"name": f"{name} public protection group", "borough": borough},
        )
    team_model.objects.update_or_create(
        code=CENTRAL_TEAM[0], defaults={"name": CENTRAL_TEAM[1], "borough": None}
    )
    for code, name in AGENCY_TYPES:
        agency_type_model.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
