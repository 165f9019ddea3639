"""What to ask for each SPECSS+ factor (reference data: the help text under each question)."""

from django.db import migrations

# The data as it was when written: a migration must not change with the code
# (riskassessment.reference_data.SPECSS_PLUS_HELP is the live copy; tests hold them equal).
SPECSS_PLUS_HELP = {
    "separation": "Ask: have you separated or tried to, recently or in the past? Is there "
    "conflict over child contact?",
    "pregnancy": "Ask: are you pregnant, or have you had a baby in the last 18 months?",
    "escalation": "Ask: is the abuse happening more often, or getting worse?",
    "community": "Ask: are you cut off from family, friends or your community, or kept from "
    "them? Any language, immigration or cultural barriers to getting help?",
    "stalking": "Ask: does the suspect follow you, turn up where you are, watch, call or "
    "message you constantly?",
    "sexual_assault": "Ask: has the suspect ever forced you into sexual activity you did not want?",
    "history_of_violence": "Ask: has the suspect been violent or stalked before, to you or "
    "anyone else? Check the records.",
    "mental_health": "Ask: does the suspect have mental health problems? Do you?",
    "threats_to_kill": "Ask: has the suspect threatened to kill you or anyone else? Do you "
    "believe them?",
    "weapon_use": "Ask: has the suspect used or threatened a weapon or object to hurt you?",
    "substance_misuse": "Ask: does the suspect misuse alcohol or drugs?",
    "children_abused": "Ask: has the suspect hurt or threatened the children or other dependants?",
    "pets_abused": "Ask: has the suspect hurt or threatened a pet or other animal?",
    "suicidal_homicidal": "Ask: has the suspect threatened or attempted suicide, or talked "
    "about killing?",
    "jealous_controlling": "Ask: is the suspect jealous, controlling, checking your phone, "
    "money or who you see?",
    "strangulation": "Ask: has the suspect ever strangled, choked, smothered or suffocated "
    "you, or held you by the neck? Even once, even briefly.",
}


def load(apps, schema_editor):
    question = apps.get_model("riskassessment", "Question")
    for code, help_text in SPECSS_PLUS_HELP.items():
        question.objects.filter(instrument__code="specss_plus", code=code).update(
            help_text=help_text
        )


class Migration(migrations.Migration):
    dependencies = [("riskassessment", "0008_history_partitioned_by_month")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
