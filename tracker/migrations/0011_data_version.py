from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("tracker", "DataVersion").objects.using(schema_editor.connection.alias).create(
        pk=1, number=0
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0010_status_snapshots"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0, verbose_name="number")),
            ],
            options={
                "verbose_name": "data version",
                "verbose_name_plural": "data versions",
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
