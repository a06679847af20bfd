"""manage.py export_claims."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from annotations.models import Claim, Source, Verdict

from ..factories import ArticleFactory
from .export_helpers import FORMATS, export_bytes, item_ids, make_verified

TEXT = "Homs 🇸🇾 café 😀: rebels said =some 2250 people will leave, mostly fighters."


@pytest.fixture
def claims(alice: User, morgan: User) -> list[Claim]:
    article = ArticleFactory(text=TEXT, url="https://news.example/homs")
    return [
        make_verified(
            article=article,
            phrase="=some 2250 people",
            reviewer=alice,
            moderator=morgan,
            sources=(("https://un.example/a", Source.Stance.SUPPORTS),),
        ),
        make_verified(
            article=article,
            phrase="mostly fighters",
            reviewer=alice,
            moderator=morgan,
            rating=Verdict.Rating.UNVERIFIABLE,
        ),
    ]


def _run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("export_claims", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_command_writes_the_same_bytes_as_the_endpoint(
    client: Client, alice: User, claims: list[Claim], tmp_path: Path, settings, fmt: str
) -> None:
    settings.FACTCHECK_SITE_URL = "http://testserver"  # the test client's host
    client.force_login(alice)
    path = tmp_path / f"claims.{fmt}"
    output = _run("--format", fmt, "--output", str(path))
    assert path.read_bytes() == export_bytes(client, fmt)
    assert "Wrote 2 claims" in output
    assert not list(tmp_path.glob("*.partial"))


def test_links_start_with_the_site_url(claims: list[Claim], tmp_path: Path, settings) -> None:
    settings.FACTCHECK_SITE_URL = "https://check.example/"
    path = tmp_path / "claims.jsonl"
    _run("--format", "jsonl", "--output", str(path))
    assert f'"url":"https://check.example/checks/{claims[0].pk}/"' in path.read_text()


def test_a_dash_writes_to_standard_output(
    client: Client, alice: User, claims: list[Claim], settings
) -> None:
    settings.FACTCHECK_SITE_URL = "http://testserver"
    client.force_login(alice)
    output = _run("--format", "csv", "--output", "-")
    assert output.encode() == export_bytes(client, "csv")
    assert _run("--format", "json") == export_bytes(client, "json").decode()  # - by default


@pytest.mark.parametrize("fmt", FORMATS)
def test_standard_output_gets_whole_characters_however_small_the_chunks(
    client: Client, alice: User, claims: list[Claim], settings, monkeypatch, fmt: str
) -> None:
    # Each chunk is decoded on its own: none may end inside an emoji's bytes.
    settings.FACTCHECK_SITE_URL = "http://testserver"
    client.force_login(alice)
    monkeypatch.setattr("annotations.publishing.writers.CHUNK_BYTES", 1)
    assert _run("--format", fmt).encode() == export_bytes(client, fmt)


def test_updated_since_limits_the_export(claims: list[Claim], tmp_path: Path) -> None:
    Claim.objects.filter(pk=claims[0].pk).update(updated_at=timezone.now() - timedelta(days=9))
    path = tmp_path / "recent.jsonl"
    since = (timezone.now() - timedelta(days=1)).isoformat()
    _run("--format", "jsonl", "--output", str(path), "--updated-since", since)
    assert item_ids("jsonl", path.read_bytes()) == [str(claims[1].pk)]


def test_an_unknown_format_is_refused_with_the_formats_listed(tmp_path: Path, db) -> None:
    with pytest.raises(CommandError, match="“xml” is not an export format; choose one of: json,"):
        _run("--format", "xml", "--output", str(tmp_path / "x.xml"))
    assert not list(tmp_path.iterdir())


def test_a_bad_updated_since_is_refused(tmp_path: Path, db) -> None:
    with pytest.raises(CommandError, match=r"--updated-since: .*ISO 8601.*'last week'"):
        _run("--output", str(tmp_path / "x.json"), "--updated-since", "last week")
    assert not list(tmp_path.iterdir())


def test_an_unwritable_output_is_a_clear_error(claims: list[Claim], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file or directory"):
        _run("--output", str(tmp_path / "missing" / "claims.json"))


def test_a_failed_export_leaves_the_old_file_alone(
    claims: list[Claim], tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "claims.json"
    path.write_text("yesterday's export")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("annotations.publishing.writers.claim_record", broken)
    with pytest.raises(RuntimeError):
        _run("--output", str(path))
    assert path.read_text() == "yesterday's export"
    assert not list(tmp_path.glob("*.partial"))
