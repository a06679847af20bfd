"""Print the claims the desk suggests for an article, with their reasons and speakers."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.models import Article
from annotations.suggestions.store import article_suggestions


def _speaker(attribution: dict[str, Any]) -> str:
    said = f" (“{attribution['speaker_text']}”)" if attribution["speaker_text"] else ""
    if attribution["speaker"]:
        found = attribution["speaker"]
        return f"{found['name']} [speaker {found['id']}]{said}"
    if attribution["new_speaker"]:
        new = attribution["new_speaker"]
        return f"new speaker {new['name']} ({new['kind']}){said}"
    return f"unknown{said}"


class Command(BaseCommand):
    help = (
        "Print the suggested claims of ARTICLE_ID: span, kind, score, quote, attribution "
        "(cue and speaker: the register's, or a new one to create) and the reasons."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("article_id", type=int)
        parser.add_argument(
            "--json", action="store_true", help="Print them as the API gives them, as JSON."
        )

    def handle(self, *args: Any, article_id: int, json: bool, **options: Any) -> None:
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            raise CommandError(f"There is no article {article_id}.")
        suggestions = article_suggestions(article)
        if json:
            self.stdout.write(_dumps(suggestions))
            return
        self.stdout.write(f"{len(suggestions)} suggested claims in “{article.display_title}”\n")
        for number, suggestion in enumerate(suggestions, start=1):
            attribution = suggestion["attribution"]
            self.stdout.write(
                f"{number}. {suggestion['start']}–{suggestion['end']}  {suggestion['kind']}  "
                f"score {suggestion['score']:.2f}"
            )
            self.stdout.write(f"   “{suggestion['quote']}”")
            if attribution["kind"] == "author":
                self.stdout.write("   in the article's own voice")
            else:
                cue = f", cue “{attribution['cue']}”" if attribution["cue"] else ""
                self.stdout.write(f"   {attribution['kind']}{cue}: {_speaker(attribution)}")
            self.stdout.write(f"   because: {'; '.join(suggestion['reasons'])}\n")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
