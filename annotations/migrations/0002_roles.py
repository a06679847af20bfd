"""Create the Reviewers and Moderators groups with their model permissions.

Object rules (own claims only, open claims only) live in
annotations.permissions; these are the coarse rights each group starts with.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWERS = [
    "view_article",
    "view_speaker",
    "add_speaker",
    "view_speakeralias",
    "view_claim",
    "add_claim",
    "change_claim",
    "delete_claim",
    "view_source",
    "add_source",
    "change_source",
    "delete_source",
    "view_verdict",
    "add_verdict",
    "change_verdict",
]
MODERATORS = [
    *REVIEWERS,
    "add_article",
    "change_article",
    "change_speaker",
    "moderate_claim",
    "view_historicalarticle",
    "view_historicalspeaker",
    "view_historicalspeakeralias",
    "view_historicalclaim",
    "view_historicalsource",
    "view_historicalverdict",
]
GROUPS = {"Reviewers": REVIEWERS, "Moderators": MODERATORS}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="annotations", codename__in=codenames
        )
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
