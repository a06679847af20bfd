"""Load the seed article and the demo claims, and give the demo accounts passwords."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annotations.models import Article, Claim

SEED_FIXTURE = "homs_article"
DEMO_FIXTURE = "homs_demo_claims"
# A claim is verified on two reviewers' verdicts and its author may not rate it: the
# second reviewer rates the first one's claims.
DEMO_ACCOUNTS = {
    "demo-reviewer": "reviewer",
    "demo-reviewer-2": "reviewer",
    "demo-moderator": "moderator",
}
GROUPS = {"reviewer": "Reviewers", "moderator": "Moderators"}


class Command(BaseCommand):
    help = (
        "Load the Homs article with its speakers and three example claims, and set the "
        "passwords of the two demo reviewers and the demo moderator. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default="factcheck-demo",
            help="Password for both demo accounts (default: %(default)s).",
        )
        parser.add_argument(
            "--site-url",
            default=settings.FACTCHECK_SITE_URL,
            help="The address the site is served on, to print with the logins "
            "(default: FACTCHECK_SITE_URL, %(default)s).",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even with DEBUG off. Demo accounts have known passwords: "
            "never do this on a public server.",
        )

    @transaction.atomic
    def handle(
        self,
        *args: Any,
        password: str,
        site_url: str,
        allow_without_debug: bool,
        **options: Any,
    ) -> None:
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "DEBUG is off, so this looks like a production server: the demo accounts "
                "have known passwords. Pass --allow-without-debug if you mean it."
            )
        call_command("loaddata", SEED_FIXTURE, verbosity=0)
        demo_loaded = Claim.objects.filter(created_by__username="demo-reviewer").exists()
        if demo_loaded:
            self.stdout.write("The demo claims are already loaded; left as they are.")
        else:
            call_command("loaddata", DEMO_FIXTURE, verbosity=0)
        for username, role in DEMO_ACCOUNTS.items():
            # An account the demo gained after this database was set up is added now.
            user, made = User.objects.get_or_create(
                username=username, defaults={"is_staff": role == "moderator"}
            )
            if made:
                user.groups.add(Group.objects.get(name=GROUPS[role]))
            user.set_password(password)
            user.save(update_fields=["password"])

        article = Article.objects.get_by_natural_key(_seed_hash())
        self.stdout.write(
            self.style.SUCCESS(f"Loaded “{article}” with {article.claims.count()} claims.")
        )
        site = site_url.rstrip("/")
        self.stdout.write(f"Log in at {site}/ with:")
        for username, role in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {role:<10} {username} / {password}")
        self.stdout.write(f"The moderator's desk is at {site}/admin/")


def _seed_hash() -> str:
    """Return the text hash of the seed article, read from its fixture."""
    path = Path(settings.BASE_DIR) / "fixtures" / f"{SEED_FIXTURE}.json"
    objects = json.loads(path.read_text(encoding="utf-8"))
    article = next(o for o in objects if o["model"] == "annotations.article")
    return article["fields"]["text_sha256"]
