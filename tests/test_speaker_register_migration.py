"""The migration to the speaker register: keys for the names there, sides as rows, roles."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OURS = ("annotations", "0006_speaker_register")


def _before(executor: MigrationExecutor) -> list[tuple[str, str]]:
    parents = executor.loader.graph.node_map[OURS].parents
    return [parent.key for parent in parents if parent.key[0] == "annotations"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_keys_the_names_there_and_keeps_each_speakers_side() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(_before(executor))
        old = executor.loader.project_state(_before(executor)).apps
        speakers = old.get_model("annotations", "Speaker")
        cafe = speakers.objects.create(name="  Cafe\u0301   Owners", kind="organisation")
        barazi = speakers.objects.create(name="Talal Barazi", kind="person", side="government")
        old.get_model("annotations", "SpeakerAlias").objects.create(speaker=barazi, name="Straße")

        executor = MigrationExecutor(connection)
        executor.migrate([OURS])

        new = executor.loader.project_state([OURS]).apps
        rows = new.get_model("annotations", "Speaker").objects.order_by("pk")
        assert list(rows.values_list("pk", "name", "name_key", "bare_key", "side_id")) == [
            (cafe.pk, "Café Owners", "café owners", "cafe owners", "unknown"),
            (barazi.pk, "Talal Barazi", "talal barazi", "talal barazi", "government"),
        ]
        alias = new.get_model("annotations", "SpeakerAlias").objects.get()
        assert (alias.name_key, alias.bare_key) == ("strasse", "strasse")
        sides = new.get_model("annotations", "Side").objects.order_by("position")
        assert list(sides.values_list("slug", flat=True))[:2] == ["opposition", "government"]
        groups = new.get_model("auth", "Group").objects
        moderators = groups.get(name="Moderators").permissions.values_list("codename", flat=True)
        assert {"merge_speaker", "add_side", "change_side"} <= set(moderators)
        reviewers = groups.get(name="Reviewers").permissions.values_list("codename", flat=True)
        assert "view_side" in reviewers
        assert "merge_speaker" not in reviewers
    finally:
        MigrationExecutor(connection).migrate(latest)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_stops_with_a_clear_message_when_names_collide() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = _before(executor)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        speakers = old.get_model("annotations", "Speaker")
        # Different to the old rule (lower case), the same name to the new (case folding).
        first = speakers.objects.create(name="Straße Committee", kind="organisation")
        second = speakers.objects.create(name="STRASSE COMMITTEE", kind="organisation")

        with pytest.raises(RuntimeError) as exc:
            MigrationExecutor(connection).migrate([OURS])

        assert str(exc.value).startswith(
            "These speakers' names and aliases are the same name under the new identity rule"
        )
        assert (
            f"speaker {second.pk} “STRASSE COMMITTEE” is the same name as "
            f"speaker {first.pk} “Straße Committee”"
        ) in str(exc.value)
        assert "Rename them or merge the speakers, then migrate again." in str(exc.value)
        second.delete()
    finally:
        MigrationExecutor(connection).migrate(latest)
