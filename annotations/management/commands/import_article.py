"""Import articles from web addresses or saved HTML pages, through the API's write path."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from annotations import services
from annotations.importing.fetch import decode


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
    )


class Command(BaseCommand):
    help = (
        "Import articles: each SOURCE is a web address (http:// or https://, fetched with "
        "the site's safety limits) or the path of a saved HTML page (.html, .htm) or a text "
        "file. The page's chrome is left out; the title, byline, outlet, date, language and "
        "canonical address are kept where the page gives them. Each source is imported on "
        "its own: one that fails is reported and the others are still imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", metavar="SOURCE", help="Web address or file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be stored, store nothing.",
        )

    def handle(self, *args: Any, sources: list[str], dry_run: bool, **options: Any) -> None:
        failed = 0
        bar = tqdm(sources, desc="Importing", unit="article", disable=len(sources) < 2)
        for source in bar:
            try:
                result = services.article_import(user=None, dry_run=dry_run, **self.read(source))
            except (ValidationError, CommandError) as exc:
                failed += 1
                reason = _problems(exc) if isinstance(exc, ValidationError) else str(exc)
                bar.write(self.style.ERROR(f"{source}: {reason}"), file=self.stderr)
                continue
            found = result.extraction
            if dry_run:
                bar.write(self.describe(source, found), file=self.stdout)
            else:
                article = result.article
                bar.write(
                    f"{source}: imported as article {article.pk}: {article}", file=self.stdout
                )
        if failed:
            raise CommandError(f"{failed} of {len(sources)} source(s) could not be imported.")

    def read(self, source: str) -> dict[str, str]:
        if source.startswith(("http://", "https://")):
            return {"url": source}
        path = Path(source)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read the file ({exc.strerror}).") from None
        if path.suffix.lower() in (".html", ".htm", ".xhtml"):
            return {"html": decode(raw)}
        try:
            return {"text": raw.decode("utf-8")}
        except UnicodeDecodeError as exc:
            raise CommandError(f"not UTF-8 text ({exc.reason} at byte {exc.start}).") from None

    def describe(self, source: str, found: Any) -> str:
        lines = [f"{source}: would import"]
        for name in ("title", "byline", "outlet", "published_on", "language", "url"):
            value = getattr(found, name)
            lines.append(f"  {name}: {value if value not in (None, '') else '(not given)'}")
        lines.append(
            f"  text: {len(found.text):,} characters in {len(found.paragraphs)} paragraphs"
        )
        for paragraph in found.paragraphs:
            lines.append(f"    | {paragraph}")
        if found.removed:
            lines.append(f"  removed: {len(found.removed)} pieces of the page, such as")
            lines.extend(f"    - {piece}" for piece in found.removed[:10])
        return "\n".join(lines)
