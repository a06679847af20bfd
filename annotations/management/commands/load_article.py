"""Load articles from UTF-8 text files, through the same write path as the admin."""

import argparse
import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from annotations import services


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Load one or more articles from UTF-8 text files. The text is stored exactly as "
        "read; metadata flags apply to every file given. All files load, or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Text files, one article each.")
        parser.add_argument("--title", default="")
        parser.add_argument("--outlet", default="")
        parser.add_argument("--byline", default="")
        parser.add_argument("--url", default="")
        parser.add_argument("--published-on", type=_date, default=None, help="YYYY-MM-DD")
        parser.add_argument("--language", default="en", help="BCP 47 tag (default: en)")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        texts = []
        for path in paths:
            try:
                # Bytes, then decode: reading as text would turn CRLF into LF.
                texts.append((path, path.read_bytes().decode("utf-8")))
            except FileNotFoundError:
                raise CommandError(f"{path}: no such file.") from None
            except UnicodeDecodeError as exc:
                raise CommandError(
                    f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})."
                ) from None
        meta = {
            key: options[key]
            for key in ("title", "outlet", "byline", "url", "published_on", "language")
        }
        loaded = []
        with transaction.atomic():
            for path, text in tqdm(texts, desc="Loading", unit="article", disable=len(texts) < 2):
                try:
                    loaded.append(services.article_create(user=None, text=text, **meta))
                except ValidationError as exc:
                    problems = "; ".join(
                        f"{field}: {' '.join(messages)}"
                        for field, messages in exc.message_dict.items()
                    )
                    raise CommandError(f"{path}: {problems}") from None
        for article in loaded:
            self.stdout.write(f"Loaded article {article.pk}: {article}")
