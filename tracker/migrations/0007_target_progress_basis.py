"""Each target says whether its progress is cumulative (累计) or per period (当期),
and may keep its time limit as written (3至5年内) when that is no date in the plan year.

Existing targets get the default basis: per period for rates (a growth rate, a
percentage), cumulative for everything else.
"""

from django.db import migrations, models
from django.db.models import Q


def fill_basis(apps, schema_editor):
    Target = apps.get_model("tracker", "Target")
    rates = Q(kind="quantitative") & (Q(is_growth=True) | Q(unit="%"))
    Target.objects.filter(rates).update(progress_basis="period")
    Target.objects.exclude(rates).update(progress_basis="cumulative")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0006_source_document_original"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltarget",
            name="deadline_text",
            field=models.CharField(
                blank=True,
                help_text="The document's words when it sets no date in the plan year (3至5年内): with no deadline, the target is not judged against the plan year's end.",
                max_length=50,
                verbose_name="time limit as written",
            ),
        ),
        migrations.AddField(
            model_name="historicaltarget",
            name="progress_basis",
            field=models.CharField(
                blank=True,
                choices=[("cumulative", "Cumulative"), ("period", "Per period")],
                help_text="Cumulative (累计): each report gives the total so far. Per period (当期): the period's own figure. Empty: cumulative for counts and amounts, per period for rates.",
                max_length=16,
                verbose_name="progress basis",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="deadline_text",
            field=models.CharField(
                blank=True,
                help_text="The document's words when it sets no date in the plan year (3至5年内): with no deadline, the target is not judged against the plan year's end.",
                max_length=50,
                verbose_name="time limit as written",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="progress_basis",
            field=models.CharField(
                blank=True,
                choices=[("cumulative", "Cumulative"), ("period", "Per period")],
                help_text="Cumulative (累计): each report gives the total so far. Per period (当期): the period's own figure. Empty: cumulative for counts and amounts, per period for rates.",
                max_length=16,
                verbose_name="progress basis",
            ),
        ),
        migrations.AlterField(
            model_name="historicaltarget",
            name="comparison",
            field=models.CharField(
                blank=True,
                choices=[
                    ("eq", "complete (=)"),
                    ("ge", "or more (≥)"),
                    ("gt", "more than (>)"),
                    ("le", "at most (≤)"),
                    ("lt", "less than (<)"),
                    ("approx", "about (≈)"),
                    ("range", "range (—)"),
                ],
                max_length=8,
                verbose_name="comparison",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="comparison",
            field=models.CharField(
                blank=True,
                choices=[
                    ("eq", "complete (=)"),
                    ("ge", "or more (≥)"),
                    ("gt", "more than (>)"),
                    ("le", "at most (≤)"),
                    ("lt", "less than (<)"),
                    ("approx", "about (≈)"),
                    ("range", "range (—)"),
                ],
                max_length=8,
                verbose_name="comparison",
            ),
        ),
        migrations.AlterField(
            model_name="targetcandidate",
            name="comparison",
            field=models.CharField(
                blank=True,
                choices=[
                    ("eq", "complete (=)"),
                    ("ge", "or more (≥)"),
                    ("gt", "more than (>)"),
                    ("le", "at most (≤)"),
                    ("lt", "less than (<)"),
                    ("approx", "about (≈)"),
                    ("range", "range (—)"),
                ],
                max_length=8,
                verbose_name="comparison",
            ),
        ),
        migrations.RunPython(fill_basis, migrations.RunPython.noop),
    ]
