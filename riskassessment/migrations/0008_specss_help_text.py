"""What to ask for each SPECSS+ factor (reference data: the help text under each question)."""

from django.db import migrations

from riskassessment.reference_data import SPECSS_PLUS_HELP


def load(apps, schema_editor):
    question = apps.get_model("riskassessment", "Question")
    for code, help_text in SPECSS_PLUS_HELP.items():
        question.objects.filter(instrument__code="specss_plus", code=code).update(
            help_text=help_text
        )


class Migration(migrations.Migration):
    dependencies = [("riskassessment", "0007_rara_action_version")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
