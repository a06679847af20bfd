"""manage.py loadtest: the integrity checks against a ledger, the flags, and one short real run.

The checks are tried on rows written through the services, as the API would
write them, with a ledger that tells the truth about them, and then with
ledgers that lie in each way a broken server could: a success that is not
stored, a refusal that was stored anyway, a lost update, a server error.
"""

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connections

from annotations import services
from annotations.models import Article, Claim, Source, Verdict
from perfkit.load.checks import check_integrity
from perfkit.load.clients import Run
from perfkit.load.desk import LOAD_ARTICLE_TEXT, Desk, setup_desk, words_of
from perfkit.load.ledger import Entry
from perfkit.management.commands import loadtest

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def desk(db) -> Desk:
    """Three clients: 0 and 2 are editors (moderators too), 1 is a plain reviewer."""
    return setup_desk(clients=3, shared_claims=2, seed=1)


class Ledger(list[Entry]):
    """A ledger written by hand, for writes made through the services."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.seq = itertools.count()

    def user(self, client: int) -> User:
        return User.objects.get(pk=self.desk.accounts[client].user_id)

    def add(self, kind: str, client: int, status: int | None, **about: Any) -> Entry:
        entry = Entry(
            client=client,
            seq=next(self.seq),
            kind=kind,
            method=about.pop("method", "POST"),
            path=about.pop("path", "/api/claims/"),
            started=0.0,
            seconds=0.05,
            status=status,
            **about,
        )
        self.append(entry)
        return entry

    def create_claim(self, client: int, marker: str, *, submit: bool = False) -> Entry:
        article = Article.objects.get(text=LOAD_ARTICLE_TEXT)
        start, end = words_of(article.text)[3][0], words_of(article.text)[6][1]
        fields = {
            "start": start,
            "end": end,
            "quote": article.text[start:end],
            "restatement": f"Le texte affirme ceci ({marker})",
            "kind": Claim.Kind.EVENT,
            "attribution": Claim.Attribution.AUTHOR,
            "note": marker,
        }
        claim = services.claim_create(
            user=self.user(client), article=article, submit=submit, **fields
        )
        sent = {
            **fields,
            "article_id": article.pk,
            "speaker_id": None,
            "status": claim.status,
        }
        return self.add(
            "create_claim",
            client,
            201,
            marker=marker,
            sent=sent,
            created=claim.pk,
            claim=claim.pk,
            version=claim.version,
        )

    def edit(self, kind: str, client: int, claim: int, based_on: int, marker: str) -> Entry:
        """An edit the server accepted: the service applies it at ``based_on``."""
        changes = {"restatement": f"Reformulé ({marker})", "note": marker}
        edited = services.claim_update(
            claim=Claim.objects.get(pk=claim),
            user=self.user(client),
            expected_version=based_on,
            **changes,
        )
        return self.add(
            kind,
            client,
            200,
            method="PATCH",
            path=f"/api/claims/{claim}/",
            claim=claim,
            marker=marker,
            sent=changes,
            based_on=based_on,
            version=edited.version,
            via="body",
        )

    def refused_edit(
        self, kind: str, client: int, claim: int, based_on: int, status: int, marker: str
    ) -> Entry:
        current = Claim.objects.get(pk=claim).version if status in (409, 412) else None
        return self.add(
            kind,
            client,
            status,
            method="PATCH",
            path=f"/api/claims/{claim}/",
            claim=claim,
            marker=marker,
            sent={"note": marker},
            based_on=based_on,
            version=current,
            via="if-match" if status == 412 else "body",
        )

    def add_source(self, client: int, claim: int, marker: str) -> Entry:
        fields = {"url": f"https://load.test/{marker}", "stance": "refutes", "title": "Rapport"}
        source = services.source_add(
            claim=Claim.objects.get(pk=claim), user=self.user(client), excerpt="", **fields
        )
        return self.add(
            "add_source",
            client,
            201,
            path=f"/api/claims/{claim}/sources/",
            claim=claim,
            marker=fields["url"],
            sent={**fields, "excerpt": "", "claim_id": claim},
            created=source.pk,
        )

    def verdict(self, kind: str, client: int, claim: int, rating: str, marker: str) -> Entry:
        rationale = f"Vérifié ({marker})"
        verdict = services.verdict_give(
            claim=Claim.objects.get(pk=claim),
            user=self.user(client),
            rating=rating,
            rationale=rationale,
        )
        return self.add(
            kind,
            client,
            201 if kind == "verdict_new" else 200,
            path=f"/api/claims/{claim}/verdicts/",
            claim=claim,
            marker=rationale,
            sent={"rating": rating, "rationale": rationale, "claim_id": claim},
            created=verdict.pk,
        )


@pytest.fixture
def ledger(desk: Desk) -> Ledger:
    """A truthful ledger of a little of everything the clients do."""
    ledger = Ledger(desk)
    shared = desk.shared[0].id
    own = ledger.create_claim(0, "load-c0-claim1")
    ledger.add(
        "create_claim_invalid",
        1,
        400,
        marker="load-c1-claim2",
        fields=("quote",),
        sent={"note": "load-c1-claim2"},
    )
    ledger.add("read_claim", 0, 200, method="GET", path=f"/api/claims/{shared}/", version=1)
    ledger.edit("edit_shared", 0, shared, 1, "load-c0-edit3")
    ledger.refused_edit("edit_shared", 2, shared, 1, 412, "load-c2-edit4")
    ledger.refused_edit("edit_shared", 2, shared, 1, 409, "load-c2-edit5")
    ledger.edit("edit_shared", 2, shared, 2, "load-c2-edit6")
    ledger.refused_edit("edit_denied", 1, shared, 3, 403, "load-c1-edit7")
    ledger.edit("edit_own", 0, own.created, 1, "load-c0-edit8")
    submitted = services.claim_submit(claim=Claim.objects.get(pk=own.created), user=ledger.user(0))
    ledger.add(
        "submit_own",
        0,
        200,
        claim=own.created,
        based_on=2,
        version=submitted.version,
        sent={"status": "in_review"},
    )
    ledger.add_source(1, shared, "load-c1-source9")
    ledger.add_source(0, own.created, "load-c0-source10")
    ledger.add(
        "add_source_invalid", 1, 400, marker="ftp://load.test/load-c1-source11", fields=("url",)
    )
    ledger.verdict("verdict_new", 1, shared, "false", "load-c1-verdict12")
    ledger.verdict("verdict_replace", 1, shared, "mixed", "load-c1-verdict13")
    ledger.verdict("verdict_new", 2, own.created, "true", "load-c2-verdict14")
    ledger.add("list_claims", 2, 200, method="GET", path="/api/claims/?article=1")
    return ledger


def _failures(ledger: list[Entry], desk: Desk) -> dict[str, list[str]]:
    return {check.name: check.failures for check in check_integrity(ledger, desk) if not check.ok}


# The setup ----------------------------------------------------------------------


def test_setup_makes_reviewers_editors_and_shared_claims_in_review(desk: Desk) -> None:
    assert [a.editor for a in desk.accounts] == [True, False, True]
    for account in desk.accounts:
        user = User.objects.get(pk=account.user_id)
        assert user.check_password(desk.password)
        assert user.groups.filter(name="Reviewers").exists()
        assert user.has_perm("annotations.moderate_claim") == account.editor
    claims = Claim.objects.filter(pk__in=[s.id for s in desk.shared])
    assert {c.status for c in claims} == {Claim.Status.IN_REVIEW}
    assert {c.pk for c in claims} <= desk.claims_before
    # The text the clients highlight holds emoji and accented letters; its spans are whole words.
    text = Article.objects.get(text=LOAD_ARTICLE_TEXT).text
    assert "🇸🇾" in text and "é" in text
    assert all(text[start:end].strip() == text[start:end] for start, end in words_of(text))


# The checks -----------------------------------------------------------------------


def test_a_truthful_ledger_passes_every_check(desk: Desk, ledger: Ledger) -> None:
    checks = check_integrity(ledger, desk)
    assert [c.name for c in checks if not c.ok] == [], [c.failures for c in checks]
    assert len(checks) == 8
    lost = next(c for c in checks if c.name == "no lost update")
    assert "2 edits applied, 2 stale edits refused" in lost.summary


def test_it_flags_a_success_that_is_not_in_the_database(desk: Desk, ledger: Ledger) -> None:
    claim = ledger.create_claim(2, "load-c2-claim20")
    source = ledger.add_source(2, claim.created, "load-c2-source21")
    Source.objects.filter(pk=source.created).delete()
    Claim.objects.filter(pk=claim.created).delete()

    failures = _failures(ledger, desk)

    stored = failures["every successful write is stored as sent"]
    assert any(f"claim {claim.created} is not in the database" in f for f in stored)
    assert any(f"source {source.created} is not in the database" in f for f in stored)


def test_it_flags_a_success_stored_with_other_values(desk: Desk, ledger: Ledger) -> None:
    claim = ledger.create_claim(2, "load-c2-claim20")
    Claim.objects.filter(pk=claim.created).update(restatement="Something else")

    stored = _failures(ledger, desk)["every successful write is stored as sent"]

    assert any("restatement is 'Something else'" in f for f in stored)


def test_it_flags_a_refused_create_that_was_stored(desk: Desk, ledger: Ledger) -> None:
    made = ledger.create_claim(2, "load-c2-claim20")
    made.kind, made.status, made.created = "create_claim_invalid", 400, None
    made.fields = ("quote",)

    failures = _failures(ledger, desk)

    assert any("load-c2-claim20" in f for f in failures["no refused write left a trace"])
    unknown = failures["nothing was written without a success"]
    assert unknown == [f"1 claims that no answer reported: ids {made.claim}"]


def test_it_flags_a_refused_edit_whose_values_were_stored(desk: Desk, ledger: Ledger) -> None:
    shared = desk.shared[1].id
    accepted = ledger.edit("edit_shared", 0, shared, 1, "load-c0-edit20")
    # The server said 412 but applied the edit all the same.
    accepted.status, accepted.via, accepted.version, accepted.based_on = 412, "if-match", 3, 1

    failures = _failures(ledger, desk)

    assert any("load-c0-edit20" in f for f in failures["no refused write left a trace"])
    assert any(f"claim {shared} is at version 2" in f for f in failures["no lost update"])


def test_it_flags_an_edit_answered_200_that_was_lost(desk: Desk, ledger: Ledger) -> None:
    shared = desk.shared[1].id
    ledger.edit("edit_shared", 0, shared, 1, "load-c0-edit20")
    # The second editor's edit was answered 200, version 3, but never stored.
    ledger.add(
        "edit_shared",
        2,
        200,
        method="PATCH",
        claim=shared,
        marker="load-c2-edit21",
        sent={"note": "load-c2-edit21"},
        based_on=2,
        version=3,
        via="body",
    )

    lost = _failures(ledger, desk)["no lost update"]

    assert any(f"claim {shared} is at version 2" in f and "at 3" in f for f in lost)
    assert any("note is 'load-c0-edit20', not 'load-c2-edit21'" in f for f in lost)


def test_it_flags_two_edits_of_the_same_version_both_accepted(desk: Desk, ledger: Ledger) -> None:
    shared = desk.shared[1].id
    ledger.edit("edit_shared", 0, shared, 1, "load-c0-edit20")
    # Both editors read version 1; the server let the second one overwrite the first.
    ledger.add(
        "edit_shared",
        2,
        200,
        method="PATCH",
        claim=shared,
        marker="load-c2-edit21",
        sent={"note": "load-c2-edit21"},
        based_on=1,
        version=2,
        via="if-match",
    )

    lost = _failures(ledger, desk)["no lost update"]

    assert any("2 writes were all answered with version 2" in f for f in lost)


def test_it_flags_a_stale_refusal_of_a_current_edit(desk: Desk, ledger: Ledger) -> None:
    shared = desk.shared[1].id
    ledger.refused_edit("edit_shared", 0, shared, 1, 409, "load-c0-edit20")

    lost = _failures(ledger, desk)["no lost update"]

    assert any("is not past the 1 it was based on" in f for f in lost)


def test_it_flags_a_claim_whose_stored_verdict_count_is_wrong(desk: Desk, ledger: Ledger) -> None:
    first, second = desk.shared[0].id, desk.shared[1].id  # the ledger gave one verdict on first
    # A count changed around the services, and a verdict written around them.
    Claim.objects.filter(pk=first).update(verdict_count=5)
    Verdict.objects.create(
        claim_id=second, reviewer=ledger.user(0), rating="true", rationale="Around them."
    )

    failures = _failures(ledger, desk)["every claim's verdict_count is its number of verdicts"]

    assert failures == [
        f"claim {first} says it has 5 verdicts; it has 1",
        f"claim {second} says it has 0 verdicts; it has 1",
    ]


def test_it_flags_server_errors_and_requests_without_an_answer(desk: Desk, ledger: Ledger) -> None:
    ledger.add("add_source", 1, 500, marker="https://load.test/load-c1-source20")
    ledger.add("list_claims", 2, None, method="GET", error="ConnectionResetError: reset")

    failures = _failures(ledger, desk)

    assert set(failures) == {"no server errors"}
    assert len(failures["no server errors"]) == 2
    assert "answered 500" in failures["no server errors"][0]
    assert "ConnectionResetError" in failures["no server errors"][1]


@pytest.mark.parametrize(
    ("kind", "status", "via", "expected"),
    [
        ("edit_own", 409, "body", "expected 200"),
        ("edit_denied", 200, "body", "expected 403"),
        ("edit_shared", 412, "body", "412 although the edit sent no If-Match"),
        ("edit_shared", 409, "if-match", "409 although the edit sent If-Match"),
        ("create_claim_invalid", 201, "", "expected 400"),
    ],
)
def test_it_flags_an_answer_the_api_should_not_give(
    desk: Desk, ledger: Ledger, kind: str, status: int, via: str, expected: str
) -> None:
    ledger.add(kind, 0, status, method="PATCH", via=via, based_on=1, version=2)

    answers = _failures(ledger, desk)["every answer is one the API may give"]

    assert len(answers) == 1 and expected in answers[0]


def test_it_flags_a_400_that_names_another_field(desk: Desk, ledger: Ledger) -> None:
    ledger.add("create_claim_invalid", 1, 400, marker="load-c1-claim20", fields=("end",))

    answers = _failures(ledger, desk)["every answer is one the API may give"]

    assert answers and "named ['end'], not quote" in answers[0]


def test_it_flags_a_write_without_its_history_record(desk: Desk, ledger: Ledger) -> None:
    shared = desk.shared[1].id
    # A write that went around the services: the row changed, its history did not.
    Claim.objects.filter(pk=shared).update(version=2, note="load-c0-edit20")
    ledger.add(
        "edit_shared",
        0,
        200,
        method="PATCH",
        claim=shared,
        marker="load-c0-edit20",
        sent={"note": "load-c0-edit20"},
        based_on=1,
        version=2,
        via="body",
    )

    history = _failures(ledger, desk)["every write has its history record"]

    assert any("no history record of version 2" in f for f in history)


def test_it_flags_a_second_verdict_that_made_a_new_row(desk: Desk, ledger: Ledger) -> None:
    shared = desk.shared[1].id
    first = ledger.verdict("verdict_new", 2, shared, "false", "load-c2-verdict20")
    ledger.add(
        "verdict_replace",
        2,
        200,
        claim=shared,
        created=first.created + 1000,
        sent={"rating": "true", "rationale": "x", "claim_id": shared},
    )

    stored = _failures(ledger, desk)["every successful write is stored as sent"]

    assert any("answered ids" in f for f in stored)
    assert any("not the last one given" in f for f in stored)


def test_it_flags_a_verdict_nobody_was_told_about(desk: Desk, ledger: Ledger) -> None:
    stray = services.verdict_give(
        claim=Claim.objects.get(pk=desk.shared[1].id),
        user=ledger.user(0),
        rating=Verdict.Rating.TRUE,
        rationale="Given while its answer was lost.",
    )

    unknown = _failures(ledger, desk)["nothing was written without a success"]

    assert unknown == [f"1 verdicts that no answer reported: ids {stray.pk}"]


def test_it_flags_a_failure_of_the_client_itself(desk: Desk, ledger: Ledger) -> None:
    ledger.add("verdict", 1, None, method="-", error="KeyError: 'id'")

    failures = _failures(ledger, desk)

    assert failures == {
        "every answer is one the API may give": ["verdict by client 1 failed: KeyError: 'id'"]
    }


# The command ----------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("loadtest", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clients", "0"], "--clients must be between 1 and 200, not 0."),
        (["--clients", "201"], "--clients must be between 1 and 200, not 201."),
        (["--seconds", "0"], "--seconds must be between 1 and 3600, not 0."),
        (["--shared-claims", "0"], "--shared-claims must be between 1 and 100, not 0."),
        (["--workers", "17"], "--workers must be between 1 and 16, not 17."),
        (["--json", "/no/such/folder/run.json"], "--json: the folder /no/such/folder does not"),
    ],
)
def test_it_validates_its_flags(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        _run(*args)


def test_it_refuses_sqlite_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    if connections["default"].vendor != "sqlite":
        monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError, match="The load test is for PostgreSQL") as refused:
        _run("--seconds", "1")
    assert "SQLite lets one write at a time" in str(refused.value)


@contextmanager
def _same_database(*, label: str, keep: bool, stdout: Any) -> Iterator[str]:
    yield "postgres://unused"


class _NoServer:
    base_url = "http://127.0.0.1:9"
    workers, threads = 2, 1
    summary = "2 sync workers"

    def __init__(self, url: str, **settings: Any) -> None:
        pass

    def __enter__(self) -> "_NoServer":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        pass

    def check_running(self) -> None:
        pass


def test_it_prints_the_failed_check_writes_the_json_and_exits_non_zero(
    db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The command around the checks, with a run whose one request got a server error."""

    def run_with_a_server_error(base_url: str, desk: Desk, **kwargs: Any) -> Run:
        entry = Entry(0, 0, "list_claims", "GET", "/api/claims/", 0.0, 0.2, status=502)
        return Run(ledger=[entry], seconds=1.0, login_seconds=0.1)

    monkeypatch.setattr(connections["default"], "vendor", "postgresql")
    monkeypatch.setattr(loadtest, "scratch_database", _same_database)
    monkeypatch.setattr(loadtest, "Gunicorn", _NoServer)
    monkeypatch.setattr(loadtest, "run_clients", run_with_a_server_error)
    out = StringIO()
    path = tmp_path / "run.json"

    with pytest.raises(CommandError, match="The load test failed: no server errors"):
        call_command("loadtest", "--clients", "2", "--json", str(path), stdout=out)

    assert "✗ no server errors: 1 × 5xx" in out.getvalue()
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["ok"] is False
    assert report["requests"] == 1
    assert report["latency"]["all"]["statuses"] == {"502": 1}
    failed = [c for c in report["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["no server errors"]


@pytest.mark.skipif(not ON_POSTGRES, reason="the load test runs on PostgreSQL only")
def test_a_short_run_on_postgresql_passes_and_writes_its_figures(tmp_path: Path) -> None:
    """Three clients for three seconds against a real gunicorn, in a scratch database.

    In a child process: the scratch database lives beside the test database,
    outside the transaction pytest wraps each test in.
    """
    path = tmp_path / "run.json"
    finished = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [
            sys.executable,
            "manage.py",
            "loadtest",
            "--clients",
            "3",
            "--seconds",
            "3",
            "--shared-claims",
            "2",
            "--json",
            str(path),
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "FACTCHECK_DEV_TOOLS": "true"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Passed." in finished.stdout
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["ok"] is True
    assert report["config"]["clients"] == 3 and report["config"]["editors"] == 2
    assert (report["config"]["workers"], report["config"]["threads"]) == (2, 1)
    assert report["requests"] > 0 and report["requests_per_second"] > 0
    assert report["latency"]["all"]["count"] == report["requests"]
    assert report["latency"]["all"]["median_ms"] <= report["latency"]["all"]["max_ms"]
    assert "create_claim" in report["latency"]["per_kind"]
    assert all(c["ok"] for c in report["checks"]) and len(report["checks"]) == 8
