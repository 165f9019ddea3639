from django.db import migrations

THEMES = [
    ("risk-identification", "Risk identification and assessment"),
    ("coercive-control", "Recognising coercive and controlling behaviour"),
    ("information-sharing", "Information sharing between agencies"),
    ("marac", "MARAC referral and action plans"),
    ("positive-action", "Positive action and arrest decisions"),
    ("supervision", "Supervision and compliance"),
    ("children", "Children in the household"),
    ("mental-health", "Mental health"),
    ("substance-misuse", "Alcohol and substance misuse"),
    ("protective-orders", "Protective orders and their enforcement"),
    ("record-keeping", "Record keeping"),
    ("training", "Training and awareness"),
    ("diversity", "Culture, language and access to services"),
]


def add_themes(apps, schema_editor):
    LessonTheme = apps.get_model("homicidereviews", "LessonTheme")
    for code, name in THEMES:
        LessonTheme.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("homicidereviews", "0001_initial")]

    operations = [migrations.RunPython(add_themes, migrations.RunPython.noop)]
