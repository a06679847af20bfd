"""Importing articles: the permission to import, given to Reviewers and Moderators, and one
article per canonical address."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

IMPORTERS = ("Reviewers", "Moderators")


def grant_import(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally made after all migrations; make this one now (as 0002 does).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="annotations", codename="import_article"
    )
    for name in IMPORTERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke_import(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="annotations", codename="import_article"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0004_claim_verdict_count"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_on", "-created_at", "-id"],
                "permissions": [("import_article", "Can import articles")],
            },
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                condition=~models.Q(url=""),
                fields=("url",),
                name="article_url_unique",
            ),
        ),
        migrations.RunPython(grant_import, revoke_import),
    ]
