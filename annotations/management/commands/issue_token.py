"""Print a user's API token, creating it, or replacing it with --rotate."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Print USERNAME's token for the API (header: Authorization: Token <key>), creating "
        "it if they have none. --rotate replaces it: the old token stops working at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace the user's token with a new one."
        )

    @transaction.atomic
    def handle(self, *args: Any, username: str, rotate: bool, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"There is no user named {username!r}. Create one in the admin or with "
                "manage.py createsuperuser first."
            ) from None
        if not user.is_active:
            raise CommandError(
                f"{username} is inactive, so a token would not let them in; "
                "activate them in the admin first."
            )
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        # The key alone on stdout, so scripts can capture it: TOKEN=$(manage.py issue_token ...)
        self.stdout.write(token.key)
