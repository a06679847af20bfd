"""The migration that stores each claim's number of verdicts fills it for the claims there."""

import pytest
from django.apps import apps as current_apps
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from annotations.models import Claim

from .factories import give_verdict, make_claim, make_claim_in_review

Node = tuple[str, str]


def _ours(loader: MigrationLoader) -> Node:
    """Return the migration that adds Claim.verdict_count (found by name, whatever its number)."""
    (node,) = [
        key
        for key in loader.disk_migrations
        if key[0] == "annotations" and key[1].endswith("_claim_verdict_count")
    ]
    return node


def _fill(loader: MigrationLoader) -> RunPython:
    (operation,) = [
        op for op in loader.disk_migrations[_ours(loader)].operations if isinstance(op, RunPython)
    ]
    return operation


def test_the_fill_counts_each_claims_verdicts(alice: User, bob: User, dana: User, article) -> None:
    none = make_claim(user=alice, article=article, phrase="2250")
    one = make_claim_in_review(user=alice, article=article, phrase="Old City")
    two = make_claim_in_review(user=alice, article=article, phrase="Homs")
    give_verdict(one, bob)
    give_verdict(two, dana)
    give_verdict(two, bob)
    # As the rows stood before the column was kept: every count at its default.
    Claim.objects.update(verdict_count=0)
    updated_at = dict(Claim.objects.values_list("pk", "updated_at"))

    _fill(MigrationLoader(connection)).code(current_apps, None)

    counts = dict(Claim.objects.values_list("pk", "verdict_count"))
    assert counts == {none.pk: 0, one.pk: 1, two.pk: 2}
    # The claims did not change: incremental pulls need not fetch them again.
    assert dict(Claim.objects.values_list("pk", "updated_at")) == updated_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_fills_the_count_of_the_claims_already_there() -> None:
    executor = MigrationExecutor(connection)
    ours = _ours(executor.loader)
    before = [p for p in executor.loader.graph.node_map[ours].parents if p.key[0] == ours[0]]
    previous = [parent.key for parent in before]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(previous)
        old = executor.loader.project_state(previous).apps
        user = old.get_model("auth", "User").objects.create(username="reviewer")
        other = old.get_model("auth", "User").objects.create(username="other")
        article = old.get_model("annotations", "Article").objects.create(
            text="Some 2250 people left the Old City of Homs.", text_sha256="0" * 64
        )
        claims = old.get_model("annotations", "Claim")
        made = [
            claims.objects.create(
                article=article,
                start=start,
                end=start + 4,
                quote=article.text[start : start + 4],
                attribution="author",
                created_by=user,
            )
            for start in (5, 10, 39)
        ]
        verdicts = old.get_model("annotations", "Verdict")
        for claim, reviewers in zip(made, ([], [user], [user, other]), strict=True):
            for reviewer in reviewers:
                verdicts.objects.create(
                    claim=claim, reviewer=reviewer, rating="true", rationale="Checked."
                )

        executor = MigrationExecutor(connection)
        executor.migrate([ours])

        new = executor.loader.project_state([ours]).apps.get_model("annotations", "Claim")
        counts = dict(new.objects.values_list("pk", "verdict_count"))
        assert counts == {made[0].pk: 0, made[1].pk: 1, made[2].pk: 2}
    finally:
        MigrationExecutor(connection).migrate(latest)
