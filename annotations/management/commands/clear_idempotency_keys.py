"""Delete the API's Idempotency-Key records once they are no longer honoured (after 24 hours)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from annotations.models import IdempotencyKey


class Command(BaseCommand):
    help = (
        "Delete the Idempotency-Key records older than 24 hours: the API no longer replays "
        "them. Run it daily (cron or a systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - IdempotencyKey.KEEP
        deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} idempotency keys older than 24 hours.")
