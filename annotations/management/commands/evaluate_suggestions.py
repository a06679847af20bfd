"""Print how the suggested claims fare against gold files (see suggestions.evaluate)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.models import Article
from annotations.suggestions.evaluate import (
    GoldError,
    Score,
    read_gold,
    register_from_gold,
    score,
    total,
)
from annotations.suggestions.register import load_register


class Command(BaseCommand):
    help = (
        "Measure the suggested claims against one or more gold files: span recall (a gold "
        "claim is found when a suggestion covers its core quote), suggestions per gold "
        "claim, speaker accuracy and kind accuracy among the claims found. The gold format "
        "is in README.md (Suggested claims) and annotations/suggestions/evaluate.py."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("gold", nargs="+", type=Path, help="Gold JSON files.")

    def handle(self, *args: Any, gold: list[Path], **options: Any) -> None:
        scores = []
        for path in gold:
            try:
                data = read_gold(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as error:
                raise CommandError(f"{path}: {error}") from None
            text = data.get("text")
            if text is None:
                article = Article.objects.filter(pk=data["article"]).only("text").first()
                if article is None:
                    raise CommandError(f"{path}: there is no article {data['article']}.")
                text = article.text
            register = (
                register_from_gold(data["register"]) if "register" in data else load_register()
            )
            try:
                scores.append(score(path.name, text, data["claims"], register))
            except GoldError as error:
                raise CommandError(f"{path}: {error}") from None
        self.stdout.write(
            f"{'gold file':<32} {'claims':>6} {'recall':>6} {'per claim':>9} "
            f"{'speaker':>7} {'kind':>5}"
        )
        for row in scores:
            self.stdout.write(self._row(row))
        if len(scores) > 1:
            self.stdout.write(self._row(total(scores)))

    @staticmethod
    def _row(row: Score) -> str:
        return (
            f"{row.title:<32} {row.claims:>6} {row.recall:>6.2f} {row.per_claim:>9.2f} "
            f"{row.speaker_accuracy:>7.2f} {row.kind_accuracy:>5.2f}"
        )
