"""Every write to an audited model goes through save() (and so into its history), or says why not.

django-simple-history records a change from the model's save and delete
signals, which bulk writes (`bulk_create`, `bulk_update`, `QuerySet.update`)
do not send: such a write must use `bulk_create_with_history` /
`bulk_update_with_history`, or be listed here with the reason it may skip the
history. A new bulk write on an audited model fails this test until it is.
"""

import re
from pathlib import Path

from django.conf import settings

from tracker.models import (
    Department,
    GoalSection,
    Plan,
    ProgressReport,
    ProgressUpdate,
    Target,
    Town,
)

AUDITED = [Department, GoalSection, Plan, ProgressReport, ProgressUpdate, Target, Town]

# A bulk write on a model named in the line (or on a model held in a variable).
NAMES = "|".join(model.__name__ for model in AUDITED)
BULK_WRITE = re.compile(rf"\b({NAMES}|model)\.objects\b.*\.(bulk_create|bulk_update|update)\(")

# (file, the line's code) → why it writes no history.
WITHOUT_HISTORY = {
    ("tracker/demo.py", "bulk_create"): (
        "generate_demo_data fills a database with millions of made-up rows for "
        "benchmarks; it intentionally writes no history."
    ),
    ("tracker/services.py", 'Target.objects.bulk_update(moved.values(), ["latest_update"])'): (
        "The target's pointer to its latest progress update is derived from the "
        "updates, each of which has its own history record (who, when, the values)."
    ),
    ("tracker/reporting_batch.py", "ProgressReport.objects.bulk_"): (
        "A batch writes each report once (twice if approved), and its history with "
        "bulk_history_create in the same write(): a record per workflow step (saved, "
        "submitted, approved) with who took it, as one save per step would leave."
    ),
    (
        "tracker/services.py",
        "model.objects.filter(pk=instance.pk, version=expected).update(version=expected + 1)",
    ): (
        "The compare-and-swap of an edit's version; the edit is then saved with "
        "save(), which records the change and the new version."
    ),
    ("tracker/demo_layer.py", ".update(lead_department"): (
        "The demo layer gives seeded targets a made-up lead department and puts it "
        "back when it is removed: not anyone's edit, so not in the targets' history "
        "(DemoRecord lists each such change)."
    ),
    ("tracker/demo_layer.py", ".update(latest_update="): (
        "Removing the demo layer works each target's latest-update pointer out again "
        "from the updates that remain (the same rule as services.progress_record)."
    ),
    ("tracker/importing.py", "model.objects.filter(pk__in=[c.pk for c in chosen"): (
        "Marks import candidates accepted or rejected; candidates are not audited, "
        "and the sections and targets an acceptance creates are saved one by one."
    ),
}


def test_every_bulk_write_on_an_audited_model_records_history_or_says_why_not():
    root = Path(settings.BASE_DIR)
    unexplained = []
    for path in sorted((root / "tracker").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not BULK_WRITE.search(line) or "_with_history" in line:
                continue
            if not any(file == relative and code in line for (file, code) in WITHOUT_HISTORY):
                unexplained.append(f"{relative}:{number}: {line.strip()}")
    assert unexplained == [], "use bulk_*_with_history or explain in WITHOUT_HISTORY"


def test_the_audited_models_keep_history():
    for model in AUDITED:
        assert hasattr(model, "history"), model
