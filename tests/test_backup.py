"""manage.py backup and restore: a desk emptied and restored is the same desk, row by row.

Each test commits (the restore empties tables the way `flush` does, and PostgreSQL
refuses that beside rows still unchecked in the same transaction); the groups the
migrations made are put back after each.
"""

import gzip
import json
from datetime import date
from importlib import import_module
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.authtoken.models import Token

from annotations import services
from annotations.models import Article, Claim, Speaker

from .factories import UserFactory, give_verdict, make_claim, make_claim_in_review, verify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = (
    "Homs, Syria — “Some 2250 people 👍🏽 will leave the Old City,” said the governor, "
    "Talal Barazi. Opposition sources said fewer than 1,500 civilians remained."
)
# Tables of the desk that the filled database must hold rows in, so that the
# comparison below is about something.
EXPECTED_FILLED = [
    "auth_user",
    "auth_group",
    "auth_permission",
    "auth_group_permissions",
    "auth_user_groups",
    "auth_user_user_permissions",
    "authtoken_token",
    "django_content_type",
    "django_admin_log",
    "annotations_article",
    "annotations_speaker",
    "annotations_speakeralias",
    "annotations_claim",
    "annotations_source",
    "annotations_verdict",
    "annotations_historicalarticle",
    "annotations_historicalspeaker",
    "annotations_historicalspeakeralias",
    "annotations_historicalclaim",
    "annotations_historicalsource",
    "annotations_historicalverdict",
]


def _fill_the_desk() -> None:
    """A desk with something in every table: roles, tokens, history, the admin's log."""
    alice = UserFactory(username="alice", groups=["Reviewers"], first_name="Alîce")
    bob = UserFactory(username="bob", groups=["Reviewers"])
    morgan = UserFactory(username="morgan", is_staff=True, groups=["Moderators"])
    charlie = UserFactory(username="charlie")
    charlie.user_permissions.add(Permission.objects.get(codename="view_article"))
    Token.objects.create(user=alice)
    article = services.article_create(
        user=None,
        text=TEXT,
        title="Homs evacuation 🕊",
        outlet="Wire",
        published_on=date(2014, 5, 7),
    )
    services.article_update(article=article, user=morgan, byline="Staff")
    governor = services.speaker_create(
        user=alice,
        name="Talal Barazi",
        kind=Speaker.Kind.PERSON,
        side=Speaker.Side.GOVERNMENT,
        role="Governor of Homs",
        aliases=["the governor", "Barazi"],
    )
    services.speaker_update(speaker=governor, user=morgan, aliases=["the governor"])
    verified = make_claim_in_review(
        user=alice,
        article=article,
        phrase="Some 2250 people 👍🏽 will leave the Old City",
        speaker=governor,
        attribution=Claim.Attribution.DIRECT_QUOTE,
    )
    services.source_add(claim=verified, user=bob, url="https://example.org/un", stance="supports")
    verify(verified, moderator=morgan, verdict=give_verdict(verified, bob))
    rejected = make_claim_in_review(user=bob, article=article, phrase="fewer than 1,500 civilians")
    services.claim_reject(claim=rejected, user=morgan, reason="Not checkable.")
    draft = make_claim(user=alice, article=article, phrase="Opposition sources")
    services.claim_update(claim=draft, user=alice, restatement="Says who.")
    LogEntry.objects.create(
        user=morgan,
        content_type=ContentType.objects.get_for_model(Claim),
        object_id=str(verified.pk),
        object_repr=str(verified),
        action_flag=CHANGE,
        change_message="[]",
    )


def _every_table() -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every table but the migrations' record and the sessions."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in ("django_migrations", "django_session"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [
                tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
                for row in cursor.fetchall()
            ]
            found[table] = sorted(rows, key=repr)
    return found


def _backup(path: Path) -> str:
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def _restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_desk_backed_up_emptied_and_restored_is_the_same_row_by_row(tmp_path: Path) -> None:
    _fill_the_desk()
    before = _every_table()
    assert [table for table in EXPECTED_FILLED if not before.get(table)] == []
    path = tmp_path / "desk.jsonl.gz"

    said = _backup(path)
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists()
    restored = _restore(path)

    assert said.startswith("Backed up ")
    assert restored.startswith("Restored ")
    after = _every_table()
    assert after.keys() == before.keys()
    for table, rows in before.items():
        for old, new in zip(rows, after[table], strict=True):
            assert new == old, (table, [(a, b) for a, b in zip(old, new, strict=True) if a != b])


def test_the_restored_desk_works_its_token_logins_and_new_rows(tmp_path: Path) -> None:
    _fill_the_desk()
    token = Token.objects.get(user__username="alice").key
    path = tmp_path / "desk.jsonl.gz"
    _backup(path)
    call_command("flush", interactive=False, verbosity=0)

    _restore(path)

    alice = User.objects.get(username="alice")
    assert alice.check_password("correct horse battery staple")
    assert Token.objects.get(key=token).user == alice
    assert alice.has_perm("annotations.add_claim")
    # New rows get fresh ids after the restored ones (the sequences were moved on).
    article = Article.objects.get()
    claim = make_claim(user=alice, article=article, phrase="Talal Barazi")
    assert claim.pk > max(Claim.objects.exclude(pk=claim.pk).values_list("pk", flat=True))
    assert claim.history.count() == 1


def test_the_backup_is_one_gzipped_fixture_without_sessions(tmp_path: Path, client) -> None:
    _fill_the_desk()
    client.force_login(User.objects.get(username="alice"))
    path = tmp_path / "desk.jsonl.gz"

    _backup(path)

    with gzip.open(path, "rt", encoding="utf-8") as file:
        rows = [json.loads(line) for line in file]
    models = {row["model"] for row in rows}
    assert "sessions.session" not in models
    assert {"auth.user", "authtoken.token", "annotations.historicalclaim"} <= models
    assert "admin.logentry" in models
    assert "auth.user_groups" in models  # join tables as rows of their own, ids kept
    assert not list(tmp_path.glob("*.partial"))


def test_restore_refuses_a_database_that_holds_data(tmp_path: Path) -> None:
    _fill_the_desk()
    path = tmp_path / "desk.jsonl.gz"
    _backup(path)
    before = _every_table()

    with pytest.raises(CommandError, match=r"The database holds data \(.*--force"):
        _restore(path)

    assert _every_table() == before


def test_restore_takes_a_freshly_migrated_database_as_empty(tmp_path: Path) -> None:
    # The groups and permissions that migrate makes are no reason to refuse.
    path = tmp_path / "desk.jsonl.gz"
    _fill_the_desk()
    _backup(path)
    call_command("flush", interactive=False, verbosity=0)
    import_module("annotations.migrations.0002_roles").create_groups(apps, None)
    assert Group.objects.count() == 2
    assert User.objects.count() == 0

    _restore(path)

    assert User.objects.filter(username="alice").exists()


def test_restore_with_force_replaces_what_was_there(tmp_path: Path) -> None:
    _fill_the_desk()
    path = tmp_path / "desk.jsonl.gz"
    _backup(path)
    before = _every_table()
    UserFactory(username="dana")
    Claim.objects.filter(status=Claim.Status.DRAFT).delete()

    _restore(path, "--force")

    assert _every_table() == before


def test_a_broken_backup_changes_nothing(tmp_path: Path) -> None:
    _fill_the_desk()
    good = tmp_path / "desk.jsonl.gz"
    _backup(good)
    with gzip.open(good, "rt", encoding="utf-8") as file:
        lines = file.readlines()
    # A claim that names an article the backup does not hold: found only at the end.
    claim_line = next(line for line in lines if '"model": "annotations.claim"' in line)
    broken_claim = json.loads(claim_line)
    broken_claim["pk"] = 999_999
    broken_claim["fields"]["article"] = 888_888
    broken = tmp_path / "broken.jsonl.gz"
    with gzip.open(broken, "wt", encoding="utf-8") as file:
        file.writelines([*lines, json.dumps(broken_claim) + "\n"])
    before = _every_table()

    with pytest.raises(CommandError, match="could not be restored, and nothing was changed"):
        _restore(broken, "--force")

    assert _every_table() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not gzip at all", "is not a readable backup"), (None, "is not a readable backup")],
)
def test_a_file_that_is_no_backup_is_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "desk.jsonl.gz"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        _restore(path, "--force")


def test_a_garbled_line_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    _fill_the_desk()
    path = tmp_path / "desk.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write('{"model": "annotations.nothing", "pk": 1, "fields": {}}\n')
    before = _every_table()

    with pytest.raises(CommandError, match="nothing was changed"):
        _restore(path, "--force")

    assert _every_table() == before


def test_backup_wants_a_gz_name_and_a_writable_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="gzipped"):
        _backup(tmp_path / "desk.json")
    with pytest.raises(CommandError, match="No such file or directory"):
        _backup(tmp_path / "missing" / "desk.jsonl.gz")
