"""manage.py bench: its synthetic corpus, its flags, and a small run through a real server."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Source, Speaker, SpeakerAlias, Status, Verdict
from annotations.publishing.writers import FORMATS
from perfkit.bench.measure import BenchFailed, _expect
from perfkit.bench.parameters import Parameters
from perfkit.corpus.build import Corpus
from perfkit.corpus.checks import (
    CorpusError,
    assert_invariants,
    check_invariants,
    counts_in_database,
)
from perfkit.corpus.plan import article_plan, article_text_spans, claim_requests
from perfkit.http import Response
from perfkit.nginx import nginx_binary


def _build(*, stops: tuple[int, ...] = (), extend_to: int | None = None, **sizes: Any) -> Corpus:
    made = Corpus(
        **{"seed": 3, "articles": 3, "words": 300, "claims": 240, "verified": 0.5, **sizes}
    )
    made.setup()
    for stop in stops:
        made.build(until_verified=stop)
    made.build()
    if extend_to is not None:
        made.extend_verified(extend_to)
    return made


def _snapshot() -> list[tuple[Any, ...]]:
    """Return the corpus as the database holds it, without ids or the clock's timestamps."""
    rows = []
    for claim in Claim.objects.select_related(
        "article", "speaker", "created_by", "moderated_by", "published_verdict__reviewer"
    ).order_by("pk"):
        rows.append(
            (
                claim.article.title,
                claim.article.text_sha256,
                claim.start,
                claim.end,
                claim.quote,
                claim.prefix,
                claim.suffix,
                claim.status,
                claim.kind,
                claim.attribution,
                claim.speaker.name if claim.speaker else None,
                claim.cue,
                claim.cue_start,
                claim.cue_end,
                claim.restatement,
                claim.version,
                claim.created_by.username,
                claim.moderated_by.username if claim.moderated_by else None,
                claim.rejection_reason,
                claim.published_verdict.reviewer.username if claim.published_verdict else None,
                tuple(claim.verdicts.order_by("pk").values_list("reviewer__username", "rating")),
                tuple(claim.sources.order_by("pk").values_list("url", "stance", "title")),
            )
        )
    return rows


class _Undo(Exception):
    pass


def _snapshot_of(**build: Any) -> list[tuple[Any, ...]]:
    """Build a corpus, take its snapshot, and roll it back so that the next one starts afresh."""
    try:
        with transaction.atomic():
            _build(**build)
            found = _snapshot()
            raise _Undo
    except _Undo:
        pass
    return found


# The corpus -------------------------------------------------------------------------


def test_the_corpus_keeps_every_invariant(db) -> None:
    made = _build(stops=(40,), extend_to=150)

    found = check_invariants(sql_sample=None)
    assert found and all(count == 0 for count in found.values()), found
    assert counts_in_database() == {
        "articles": 3 + 1,  # one more, all verified, for the 30 beyond the main corpus's 120
        "claims": 240 + 30,
        "verified": 150,
        "verdicts": made.counts.verdicts,
        "sources": made.counts.sources,
        "speakers": 48,
    }
    assert set(Claim.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Speaker.objects.values_list("kind", flat=True)) == set(Speaker.Kind.values)
    # Offsets count code points: many claims stand after characters beyond the BMP.
    after_astral = [
        c
        for c in Claim.objects.select_related("article")
        if any(ord(ch) > 0xFFFF for ch in c.article.text[: c.start])
    ]
    assert len(after_astral) > 100
    for model in (Article, Claim, Verdict, Source, Speaker):
        for row in model.objects.order_by("pk")[:25]:
            row.full_clean()


def test_the_checks_find_what_breaks_a_rule(db) -> None:
    _build(claims=30, articles=1)
    claim = Claim.objects.order_by("pk").first()
    Claim.objects.filter(pk=claim.pk).update(quote=claim.quote + "x", suffix="")
    Source.objects.filter(pk=Source.objects.order_by("pk").values("pk")[:1]).update(url="ftp://x")
    speaker, alias = Speaker.objects.order_by("pk")[:2]
    Speaker.objects.filter(pk=speaker.pk).update(bare_key="not its bare key")
    SpeakerAlias.objects.create(
        speaker=speaker, name=alias.name.upper(), name_key=alias.name_key, bare_key=alias.bare_key
    )
    # The database cannot see this one: a verified claim publishing another's verdict.
    first, second = Claim.objects.filter(status=Status.VERIFIED).order_by("pk")[:2]
    Claim.objects.filter(pk=first.pk).update(published_verdict=second.published_verdict_id)

    found = check_invariants(sql_sample=None)

    broken = {name: count for name, count in found.items() if count}
    assert broken == {
        "quote is not the text at its offsets": 1,
        "quote is not the text at its offsets (SQL)": 1,
        "source without an http(s) address": 1,
        "publishes another claim's verdict": 1,
        "name or alias not stored by the identity rule": 1,
        "name or alias sharing its key with another": 1,
        **(
            {
                "suffix is not the text after the quote": 1,
                "suffix is not the text after the quote (SQL)": 1,
            }
            if claim.suffix
            else {}
        ),
    }
    with pytest.raises(CorpusError, match="quote is not the text at its offsets: 1 row"):
        assert_invariants()


def test_the_checks_find_a_claim_whose_verdict_count_is_wrong(db) -> None:
    _build(claims=30, articles=1)
    first = Claim.objects.order_by("pk").first()
    Claim.objects.filter(pk=first.pk).update(verdict_count=first.verdict_count + 1)
    # Verdicts deleted around the count (not a published one: the database protects those).
    second = Claim.objects.exclude(pk=first.pk).exclude(status=Status.VERIFIED)
    second = second.filter(verdict_count__gt=0).order_by("pk").first()
    Verdict.objects.filter(claim=second).delete()

    found = check_invariants(sql_sample=None)

    broken = {name: count for name, count in found.items() if count}
    assert broken == {
        "verdict_count is not the number of verdicts": 2,
        "verdict_count is not the number of verdicts (SQL)": 2,
    }


def test_the_same_seed_gives_the_same_corpus_with_or_without_stops(db) -> None:
    whole = _snapshot_of()
    in_steps = _snapshot_of(stops=(1, 37, 60))

    assert whole == in_steps
    assert len(whole) == 240
    assert sum(row[7] == Status.VERIFIED for row in whole) == 120


def test_another_seed_gives_another_corpus(db) -> None:
    assert _snapshot_of(seed=3) != _snapshot_of(seed=4)


def test_an_article_plan_depends_on_its_seed_and_number_only() -> None:
    plan = article_plan(7, 2, words=200, claims=30, verified=10, speakers=5)

    assert plan == article_plan(7, 2, words=200, claims=30, verified=10, speakers=5)
    assert plan != article_plan(8, 2, words=200, claims=30, verified=10, speakers=5)
    assert plan.text != article_plan(7, 3, words=200, claims=30, verified=10, speakers=5).text
    assert sum(c.status == Status.VERIFIED for c in plan.claims) == 10
    assert len(article_text_spans(plan.text)) == 200


def test_the_claim_requests_are_distinct_and_the_api_takes_them(db, alice) -> None:
    made = _build(claims=0, articles=1)
    article = made.empty_article(99, 80)
    speakers = list(Speaker.objects.values_list("pk", flat=True))
    bodies = claim_requests(1, article.text, 60, article=article.pk, speakers=speakers)

    assert len({(b["start"], b["end"]) for b in bodies}) == 60
    assert bodies == claim_requests(1, article.text, 60, article=article.pk, speakers=speakers)
    client = APIClient()
    client.force_authenticate(alice)
    for body in bodies[:20]:
        response = client.post("/api/claims/", body, format="json")
        assert response.status_code == 201, response.json()
    assert Claim.objects.filter(article=article).count() == 20
    with pytest.raises(ValueError, match="81 distinct claims need at least 81 words"):
        claim_requests(1, article.text, 81, article=article.pk, speakers=speakers)


# The flags ---------------------------------------------------------------------------


def test_the_default_parameters_are_the_issues() -> None:
    defaults = Parameters()
    assert (defaults.articles, defaults.words, defaults.claims, defaults.verified) == (
        100,
        2000,
        100_000,
        0.5,
    )
    assert (defaults.create, defaults.create_words, defaults.export_sizes) == (
        1000,
        5000,
        (10_000, 100_000),
    )
    assert defaults.problems() == []


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--articles", "0"], "--articles must be 1 or more, not 0"),
        (["--words", "5"], "--words must be 20 or more"),
        (["--claims", "-1"], "--claims must be 0 or more"),
        (["--verified", "1.5"], "--verified is a fraction of the claims, from 0 to 1, not 1.5"),
        (["--verified", "nan"], "--verified is a fraction"),
        (["--create", "0"], "--create must be 1 or more"),
        (["--create", "600", "--create-words", "500"], r"--create \(600\) must be at most"),
        (["--export-sizes", "10,abc"], "--export-sizes takes whole numbers"),
        (["--export-sizes", "0,10"], "--export-sizes must all be 1 or more"),
        (["--export-sizes", "10,10"], "--export-sizes names a size twice"),
        (["--export-sizes", ","], "--export-sizes needs at least one size"),
        (["--workers", "0"], "--workers must be 1 or more"),
        (["--public-clients", "0"], "--public-clients must be 1 or more"),
        (["--public-seconds", "0"], "--public-seconds must be more than 0"),
        (["--json", "/no/such/folder/run.json"], "--json: the folder /no/such/folder does not"),
    ],
)
def test_bad_flags_are_refused_naming_the_flag(flags: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("bench", *flags, stdout=StringIO(), stderr=StringIO())


def test_several_bad_flags_are_named_together() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("bench", "--articles", "0", "--create", "0", stdout=StringIO())
    assert "--articles" in str(refused.value) and "--create" in str(refused.value)


def test_a_refused_request_fails_the_run_with_its_body() -> None:
    answer = Response(400, {}, b'{"quote": ["The text at offsets 3-9 is ..."]}', 0.01)
    with pytest.raises(BenchFailed, match=r"POST /api/claims/ answered 400, not 201: \{\"quote\""):
        _expect(answer, 201, "POST /api/claims/")


# A whole run -------------------------------------------------------------------------


def test_a_small_run_measures_everything_and_prints_the_table_then_the_json(
    tmp_path: Path,
) -> None:
    """The command end to end, in a child process: its scratch database lives beside the test
    database, outside the transaction each test runs in (and in-memory SQLite cannot be left)."""
    path = tmp_path / "bench.json"
    # Gunicorn as gunicorn.conf.py sets it up by default, with the development tools on.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    environment["FACTCHECK_DEV_TOOLS"] = "true"
    if connection.vendor == "sqlite":
        environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'base.sqlite3'}"
    finished = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [
            sys.executable,
            "manage.py",
            "bench",
            *("--articles", "2", "--words", "120", "--claims", "60", "--verified", "0.5"),
            *("--create", "15", "--create-words", "100", "--export-sizes", "40,20"),
            *("--public-clients", "2", "--public-seconds", "1"),
            *("--json", str(path)),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    document = json.loads(path.read_text(encoding="utf-8"))
    lines = finished.stdout.strip().splitlines()
    assert json.loads(lines[-1]) == document
    table = "\n".join(lines[:-1])
    assert "Creating 15 claims" in table and "Targets (set for" in table
    assert "corpus: main corpus" in finished.stderr  # the progress, one line a phase

    assert document["machine"]["cores"] >= 1
    assert document["machine"]["database"]["vendor"] == connection.vendor
    assert document["server"] == {"workers": 2, "threads": 1, "worker_class": "sync"}
    assert "gunicorn with 2 sync workers on 127.0.0.1" in table
    assert document["parameters"]["export_sizes"] == [40, 20]
    built = document["corpus"]
    assert built["method"] == "bulk inserts keeping every invariant; no history rows"
    assert built["invariants_broken"] == 0 and len(built["invariants_checked"]) > 20
    # 60 claims (30 verified) and the two articles measured on, then 10 more verified claims.
    assert built["final"]["claims"] == 60 + 10 + 15 + 10
    assert built["final"]["verified"] == 40

    create = document["create"]
    assert create["requests"] == 15 and create["warm_up_requests"] == 10
    assert 0 < create["median_ms"] <= create["p95_ms"] <= create["max_ms"]
    assert create["requests_per_second"] > 0 and create["queries_median"] > 0
    assert create["corpus"]["claims"] == 60 + 10  # the warm-up's ten are in, the timed not yet
    listing = document["list"]
    assert listing["items"] == 15 and listing["pages"] >= 1 and listing["ms"] > 0
    page = document["page"]
    assert page["large"]["claims"] == 15 and page["small"]["claims"] == 10
    assert page["large"]["server_app_ms_median"] > 0 and page["large"]["queries"] > 0
    assert page["queries_constant"] is (page["large"]["queries"] == page["small"]["queries"])

    public = document["public_page"]
    assert public["cache_control"] == "public, max-age=300, s-maxage=600"
    for run in ("direct", "not_modified"):
        assert public[run]["clients"] == 2 and public[run]["requests"] > 0
        assert public[run]["requests_per_second"] > 0
        assert public[run]["server_app_ms_median"] > 0
    # The 304 reads the validators only; the page reads them, the claim and its sources.
    assert public["not_modified"]["queries"] == 1
    assert public["direct"]["queries"] == 3
    assert "Public page of one check, anonymous readers (2 client processes, 1 s a run" in table
    if nginx_binary() is not None or os.getenv("CI") == "true":
        through = public["through_cache"]
        assert through["requests"] > 0 and through["cache_hits"] == through["requests"]
        assert "through nginx proxy_cache" in table
    else:
        assert public["through_cache"] is None

    assert [m["verified_claims"] for m in document["exports"]] == [20, 40]
    assert document["exports"][0]["corpus"]["verified"] == 20
    assert document["exports"][0]["corpus"]["claims"] < 60  # measured while the corpus grew
    for measured in document["exports"]:
        assert set(measured["formats"]) == set(FORMATS)
        for figures in measured["formats"].values():
            assert figures["seconds"] > 0 and figures["bytes"] > 0
            assert figures["claims_per_second"] > 0
            assert figures["rss_peak_bytes"] >= figures["rss_baseline_bytes"] > 0
    growth = document["export_memory_growth"]
    assert (growth["from_verified_claims"], growth["to_verified_claims"]) == (20, 40)
    assert set(growth["bytes"]) == set(FORMATS)

    targets = {t["key"]: t for t in document["targets"]}
    assert set(targets) == {
        "create_median_ms",
        "list_ms",
        "export_jsonl_claims_per_second",
        "export_jsonl_memory_growth_mb",
        "page_queries_constant",
        "page_server_ms",
    }
    assert all(isinstance(t["met"], bool) and t["figure"] is not None for t in targets.values())
    assert targets["create_median_ms"]["figure"] == create["median_ms"]
