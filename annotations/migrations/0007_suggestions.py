"""Remember the suggested claims each reviewer dismissed, and let both groups dismiss."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

CODENAMES = ["view_suggestiondismissal", "add_suggestiondismissal"]
GROUPS = ["Reviewers", "Moderators"]


def grant(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally made after all migrations; make this app's now.
    app_config = apps.get_app_config("annotations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="annotations", codename__in=CODENAMES)
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="annotations", codename__in=CODENAMES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_speaker_register"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SuggestionDismissal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.PositiveIntegerField()),
                ("end", models.PositiveIntegerField()),
                (
                    "quote_sha256",
                    models.CharField(max_length=64, verbose_name="SHA-256 of the quote"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="suggestion_dismissals",
                        to="annotations.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["article_id", "start", "end", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "article", "start", "end", "quote_sha256"),
                        name="suggestion_dismissed_once",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("start__lt", models.F("end"))),
                        name="suggestion_dismissal_start_before_end",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
