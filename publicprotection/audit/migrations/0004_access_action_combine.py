from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_access_log_entry_names_many_records"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("download", "Downloaded"),
                    ("export", "Exported"),
                    ("disclose", "Disclosed"),
                    ("combine", "Combined (linked)"),
                ],
                max_length=10,
            ),
        ),
    ]
