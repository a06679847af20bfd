"""Write the export of verified claims to a file, through the endpoint's own writers."""

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from annotations.management.files import replaced_when_complete
from annotations.publishing.context import ExportContext
from annotations.publishing.reader import parse_updated_since, published, verified_claims
from annotations.publishing.records import ExportClaim
from annotations.publishing.writers import DEFAULT_FORMAT, FORMATS, stream_bytes, stream_text


def _counted(claims: Iterable[ExportClaim], count: list[int]) -> Iterator[ExportClaim]:
    for claim in claims:
        count[0] += 1
        yield claim


class Command(BaseCommand):
    help = (
        "Export every verified claim, in the same formats and bytes as GET /api/export/. "
        "Absolute links start with settings.FACTCHECK_SITE_URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            dest="format_name",
            default=DEFAULT_FORMAT,
            help=f"One of {', '.join(FORMATS)} (default: %(default)s).",
        )
        parser.add_argument(
            "--output",
            default="-",
            help="The file to write; - for standard output (default).",
        )
        parser.add_argument(
            "--updated-since",
            default=None,
            help="Only claims changed at or after this ISO 8601 date or date-time.",
        )

    def handle(
        self,
        *args: Any,
        format_name: str,
        output: str,
        updated_since: str | None,
        **options: Any,
    ) -> None:
        fmt = FORMATS.get(format_name)
        if fmt is None:
            raise CommandError(
                f"“{format_name}” is not an export format; choose one of: {', '.join(FORMATS)}."
            )
        since = None
        if updated_since is not None:
            try:
                since = parse_updated_since(updated_since)
            except ValueError as exc:
                raise CommandError(f"--updated-since: {exc}") from None

        total = published()
        if since is not None:
            total = total.filter(updated_at__gte=since)
        count = [0]
        # Progress on standard error, and only where someone watches (a terminal).
        claims = tqdm(
            _counted(verified_claims(updated_since=since), count),
            total=total.count(),
            unit="claim",
            desc=f"Exporting {fmt.name}",
            file=sys.stderr,
            disable=None,
        )
        context = ExportContext.for_command(updated_since=since)
        if output == "-":
            for text in stream_text(fmt, claims, context):
                self.stdout.write(text, ending="")
            return
        written = self._write_file(Path(output), stream_bytes(fmt, claims, context))
        self.stdout.write(f"Wrote {count[0]} claims ({written:,} bytes) as {fmt.name} to {output}.")

    def _write_file(self, path: Path, chunks: Iterable[bytes]) -> int:
        """Write the export to ``path`` whole, or leave the file there was."""
        written = 0
        with replaced_when_complete(path) as partial, partial.open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
                written += len(chunk)
        return written
