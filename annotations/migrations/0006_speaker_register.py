"""The speaker register: stored name keys, sides as a table, Wikidata ids, merging.

- Names and aliases get ``name_key`` (unique) and ``bare_key`` (for search and
  near matches), computed here by ``annotations.names`` for the rows already
  there; names are stored in their clean form (NFC, single spaces). If two
  existing names or aliases share a key, the migration stops and lists them:
  merge or rename them with the previous version of the code, then migrate again.
- Sides become rows, seeded with the values the code knew, whose slugs are the
  same strings the speakers and the exports already held; ``Speaker.side``
  becomes a foreign key to them, keyed by that slug, so no value changes.
- Moderators may manage sides and merge speakers; reviewers may read sides.
"""

from typing import Any

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import F, Q

import annotations.models
from annotations import names

# (slug, name, description, colour): the sides of the code before this migration.
SEED_SIDES = [
    ("opposition", "Opposition", "Armed or political opposition to the government.", "#d2691e"),
    ("government", "Government", "The government, its officials and forces.", "#3466c2"),
    (
        "pro_government_ally",
        "Pro-government ally",
        "States and groups that back the government.",
        "#6a4bc4",
    ),
    (
        "independent_monitor",
        "Independent monitor",
        "Monitors and observers that take no side.",
        "#16867d",
    ),
    (
        "international_body",
        "International body",
        "The UN and other international organisations.",
        "#5f8a17",
    ),
    ("media", "Media", "News outlets and journalists.", "#b0417f"),
    ("unknown", "Unknown", "Not known, or not yet decided.", "#7d7d7d"),
]

REVIEWERS = ["view_side"]
MODERATORS = [
    "view_side",
    "add_side",
    "change_side",
    "merge_speaker",
    "view_historicalside",
]


def seed_sides(apps: Any, schema_editor: Any) -> None:
    Side = apps.get_model("annotations", "Side")
    for position, (slug, name, description, colour) in enumerate(SEED_SIDES):
        Side.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "colour": colour,
                "position": (position + 1) * 10,
            },
        )


def compute_keys(apps: Any, schema_editor: Any) -> None:
    """Store each name and alias in its clean form with its keys; stop if two keys collide."""
    Speaker = apps.get_model("annotations", "Speaker")
    SpeakerAlias = apps.get_model("annotations", "SpeakerAlias")
    seen: dict[str, str] = {}
    collisions = []
    for model, what in ((Speaker, "speaker"), (SpeakerAlias, "alias")):
        for row in model.objects.order_by("pk"):
            row.name = names.clean_name(row.name)
            row.name_key = names.name_key(row.name)
            row.bare_key = names.bare_key(row.name)
            label = f"{what} {row.pk} “{row.name}”"
            if not row.name_key:
                collisions.append(f"{label} has an empty name")
            elif row.name_key in seen:
                collisions.append(f"{label} is the same name as {seen[row.name_key]}")
            else:
                seen[row.name_key] = label
            row.save(update_fields=["name", "name_key", "bare_key"])
    if collisions:
        raise RuntimeError(
            "These speakers' names and aliases are the same name under the new identity rule "
            "(Unicode NFC and full case folding): "
            + "; ".join(collisions)
            + ". Rename them or merge the speakers, then migrate again."
        )


def grant_permissions(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in (("Reviewers", REVIEWERS), ("Moderators", MODERATORS)):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        perms = Permission.objects.filter(
            content_type__app_label="annotations", codename__in=codenames
        )
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {group_name}: {sorted(missing)}")
        group.permissions.add(*perms)


def _key_fields() -> list[tuple[str, models.Field]]:
    return [
        ("name_key", models.CharField(default="", editable=False, max_length=400)),
        ("bare_key", models.CharField(db_index=True, default="", editable=False, max_length=400)),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0005_article_import"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Side",
            fields=[
                (
                    "slug",
                    models.SlugField(
                        help_text="The stable machine value exports give, such as "
                        "turkey_backed_opposition; it cannot change once saved.",
                        max_length=40,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True)),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "colour",
                    models.CharField(
                        default="#7d7d7d",
                        help_text="The colour of its highlights and legend on the article page.",
                        max_length=7,
                        validators=[annotations.models.side_colour_validator],
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=100, help_text="Sides are listed by this number, then by name."
                    ),
                ),
            ],
            options={"ordering": ["position", "name"]},
        ),
        migrations.CreateModel(
            name="HistoricalSide",
            fields=[
                (
                    "slug",
                    models.SlugField(
                        db_index=True,
                        help_text="The stable machine value exports give, such as "
                        "turkey_backed_opposition; it cannot change once saved.",
                        max_length=40,
                    ),
                ),
                ("name", models.CharField(db_index=True, max_length=100)),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "colour",
                    models.CharField(
                        default="#7d7d7d",
                        help_text="The colour of its highlights and legend on the article page.",
                        max_length=7,
                        validators=[annotations.models.side_colour_validator],
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=100, help_text="Sides are listed by this number, then by name."
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical side",
                "verbose_name_plural": "historical sides",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(seed_sides, migrations.RunPython.noop),
        # The keys, filled for the rows already there, then made unique.
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("speaker", "speakeralias", "historicalspeaker", "historicalspeakeralias")
            for name, field in _key_fields()
        ),
        migrations.RemoveConstraint(model_name="speaker", name="speaker_name_unique_ci"),
        migrations.RemoveConstraint(model_name="speakeralias", name="speaker_alias_unique_ci"),
        migrations.RemoveConstraint(model_name="speaker", name="speaker_side_valid"),
        migrations.RunPython(compute_keys, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=model,
                name="name_key",
                field=models.CharField(editable=False, max_length=400),
            )
            for model in ("speaker", "speakeralias", "historicalspeaker", "historicalspeakeralias")
        ),
        migrations.AddConstraint(
            model_name="speaker",
            constraint=models.UniqueConstraint(fields=["name_key"], name="speaker_name_key_unique"),
        ),
        migrations.AddConstraint(
            model_name="speakeralias",
            constraint=models.UniqueConstraint(
                fields=["name_key"], name="speaker_alias_name_key_unique"
            ),
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="bare_key",
                field=models.CharField(db_index=True, editable=False, max_length=400),
            )
            for model in ("speaker", "speakeralias", "historicalspeaker", "historicalspeakeralias")
        ),
        # The side: the same slug, now naming a row of the table.
        migrations.AlterField(
            model_name="speaker",
            name="side",
            field=models.ForeignKey(
                default="unknown",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="speakers",
                to="annotations.side",
            ),
        ),
        migrations.AlterField(
            model_name="historicalspeaker",
            name="side",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                default="unknown",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="annotations.side",
            ),
        ),
        *(
            migrations.AddField(
                model_name=model,
                name="wikidata_id",
                field=models.CharField(
                    blank=True,
                    help_text="The speaker's Wikidata item, such as Q42, so other tools can "
                    "match it.",
                    max_length=20,
                    validators=[annotations.models.wikidata_id_validator],
                    verbose_name="Wikidata ID",
                ),
            )
            for model in ("speaker", "historicalspeaker")
        ),
        migrations.AddField(
            model_name="speaker",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_speakers",
                to="annotations.speaker",
            ),
        ),
        migrations.AddField(
            model_name="historicalspeaker",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="annotations.speaker",
            ),
        ),
        migrations.AlterModelOptions(
            name="speaker",
            options={
                "ordering": ["name_key"],
                "permissions": [("merge_speaker", "Can merge speakers")],
            },
        ),
        migrations.AlterModelOptions(
            name="speakeralias",
            options={"ordering": ["name_key"], "verbose_name_plural": "speaker aliases"},
        ),
        migrations.AddConstraint(
            model_name="speaker",
            constraint=models.CheckConstraint(
                condition=~Q(name_key=""), name="speaker_name_key_set"
            ),
        ),
        migrations.AddConstraint(
            model_name="speaker",
            constraint=models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="speaker_not_merged_into_itself"
            ),
        ),
        migrations.AddConstraint(
            model_name="speakeralias",
            constraint=models.CheckConstraint(
                condition=~Q(name_key=""), name="speaker_alias_name_key_set"
            ),
        ),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
