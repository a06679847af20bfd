"""Store each claim's number of verdicts, and fill it for the claims already there.

services.verdict_give keeps the count from then on.
"""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery


def fill_verdict_counts(apps: Any, schema_editor: Any) -> None:
    """Set every claim's verdict_count to the number of its verdicts, in one UPDATE.

    Only claims with verdicts are written (the others keep the default, 0), and
    ``updated_at`` is left alone: the claims did not change, so incremental pulls
    need not fetch them again.
    """
    Claim = apps.get_model("annotations", "Claim")
    Verdict = apps.get_model("annotations", "Verdict")
    given = Verdict.objects.filter(claim_id=OuterRef("pk")).order_by().values("claim_id")
    Claim.objects.filter(pk__in=Verdict.objects.values("claim_id")).update(
        verdict_count=Subquery(given.annotate(n=Count("pk")).values("n"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_moderated_claims_and_idempotency_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="verdict_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        # Backwards, the column goes with the field: nothing to undo.
        migrations.RunPython(fill_verdict_counts, migrations.RunPython.noop, elidable=True),
    ]
