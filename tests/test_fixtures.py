"""The seed article and the demo claims, as shipped in fixtures/."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from annotations import services
from annotations.models import Article, Claim, Speaker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "homs-article.txt"


@pytest.fixture
def seed(db) -> Article:
    call_command("loaddata", "homs_article", verbosity=0)
    return Article.objects.get()


@pytest.fixture
def demo(seed: Article) -> Article:
    call_command("loaddata", "homs_demo_claims", verbosity=0)
    return seed


def _shared_seed_text() -> str:
    if not SHARED_SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_SEED} is missing, and CI must compare the fixture with it.")
        pytest.skip(f"{SHARED_SEED} is not beside this checkout; the comparison needs it.")
    return SHARED_SEED.read_text(encoding="utf-8")


def test_the_article_text_is_the_seed_without_the_page_furniture(seed: Article) -> None:
    raw = _shared_seed_text()
    # The file as it reached us ends with the page's "Share" button and blank
    # lines: they are not part of the article, and everything before is.
    assert raw.endswith("for several weeks.\nShare\n\n")
    assert seed.text == raw.removesuffix("\nShare\n\n")


def test_the_article_records_only_what_the_source_says(seed: Article) -> None:
    assert seed.title == seed.outlet == seed.byline == seed.url == ""
    assert seed.published_on is None
    assert seed.language == "en"
    assert seed.display_title.startswith("Rebels have struck a deal")


def test_the_stored_hash_is_the_hash_of_the_text(seed: Article) -> None:
    assert seed.text_sha256 == services.text_sha256(seed.text)
    assert len(seed.text) == 2057


def test_the_speakers_the_article_names_are_loaded(seed: Article) -> None:
    speakers = {s.name: s for s in Speaker.objects.prefetch_related("aliases")}
    assert speakers["Opposition sources"].side_id == Speaker.Side.OPPOSITION
    assert speakers["Regime representatives"].side_id == Speaker.Side.GOVERNMENT
    khalidi = speakers["Abul Hareth al-Khalidi"]
    assert (khalidi.kind, khalidi.role) == (Speaker.Kind.PERSON, "rebel negotiator")
    sohr = speakers["Syrian Observatory for Human Rights"]
    assert sohr.side_id == Speaker.Side.INDEPENDENT_MONITOR
    assert "SOHR" in {a.name for a in sohr.aliases.all()}
    assert speakers["Text of the deal"].kind == Speaker.Kind.DOCUMENT
    assert speakers["Security official"].side_id == Speaker.Side.GOVERNMENT
    # Every speaker is named in the text, by its name or one of its aliases.
    text = seed.text.casefold()
    for speaker in speakers.values():
        names = [speaker.name, *(a.name for a in speaker.aliases.all())]
        assert any(n.casefold().removeprefix("text of ") in text for n in names), speaker


def test_loading_the_seed_twice_updates_in_place(seed: Article) -> None:
    call_command("loaddata", "homs_article", verbosity=0)
    assert Article.objects.count() == 1
    assert Speaker.objects.count() == 6


def test_the_demo_claims_are_the_three_the_desk_named(demo: Article) -> None:
    claims = {c.quote: c for c in Claim.objects.select_related("speaker")}
    assert set(claims) == {
        "some 2250 people, mostly fighters, evacuate",
        "under total blockade since June 2012",
        'an "arrangement" rather than a deal',
    }
    assert (
        claims["some 2250 people, mostly fighters, evacuate"].speaker.name == "Opposition sources"
    )
    assert claims['an "arrangement" rather than a deal'].speaker.name == "Regime representatives"
    blockade = claims["under total blockade since June 2012"]
    assert blockade.speaker is None
    assert blockade.attribution == Claim.Attribution.AUTHOR
    for claim in claims.values():
        assert claim.status == Claim.Status.IN_REVIEW
        assert claim.restatement
        assert claim.created_by.username == "demo-reviewer"
        assert not claim.verdicts.exists()


def test_the_demo_claims_pass_the_write_paths_checks(demo: Article) -> None:
    for claim in Claim.objects.all():
        assert demo.text[claim.start : claim.end] == claim.quote
        checked = services.check_claim(
            article_id=demo.pk,
            start=claim.start,
            end=claim.end,
            quote=claim.quote,
            prefix=claim.prefix,
            suffix=claim.suffix,
            kind=claim.kind,
            speaker=claim.speaker,
            attribution=claim.attribution,
            cue=claim.cue,
            cue_start=claim.cue_start,
            cue_end=claim.cue_end,
        )
        assert (checked.prefix, checked.suffix, checked.cue) == (
            claim.prefix,
            claim.suffix,
            claim.cue,
        )


def test_the_demo_cues_point_at_the_attributing_verbs(demo: Article) -> None:
    cues = {
        c.speaker.name: demo.text[c.cue_start : c.cue_end]
        for c in Claim.objects.exclude(speaker=None)
    }
    assert cues == {"Opposition sources": "say", "Regime representatives": "said"}


@pytest.mark.django_db
def test_every_fixture_loads_in_one_command_in_alphabetical_order() -> None:
    # What the shell makes of `manage.py loaddata fixtures/*.json`.
    paths = sorted(str(path) for path in FIXTURES.glob("*.json"))
    assert len(paths) == 2

    call_command("loaddata", *paths, verbosity=0)

    assert Article.objects.count() == 1
    assert Claim.objects.count() == 3
