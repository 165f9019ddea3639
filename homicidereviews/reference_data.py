"""The themes lessons from homicide reviews are filed under (LessonTheme): the data migration
0002_lesson_themes loaded a copy, and tests that flush the database load these again
(conftest.py). tests/test_reference_data.py holds the two together."""

from __future__ import annotations

THEMES: list[tuple[str, str]] = [
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


def load_reference_data(apps=None) -> None:
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    lesson_theme = apps.get_model("homicidereviews", "LessonTheme")
    for code, name in THEMES:
        lesson_theme.objects.update_or_create(code=code, defaults={"name": name})
