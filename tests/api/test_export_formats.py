"""What each export format says about a claim: fields, CSV safety, offsets, ClaimReview."""

import csv
import io
import json
from datetime import date, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pyld import jsonld

from annotations.models import Article, Claim, Source, Speaker, Verdict
from annotations.publishing.csv import CSV_COLUMNS, csv_cell

from ..factories import ArticleFactory, SpeakerFactory
from .export_helpers import (
    FORMATS,
    SCHEMA,
    export_bytes,
    make_verified,
    parse,
    schema_org_loader,
)

# Astral characters (flags, emoji: two UTF-16 units each) and accents before the claim.
EMOJI_TEXT = (
    "Homs 🇸🇾, café «Le Petit» 😀: rebels said that some 2250 people will leave.\n"
    "The ministry said the convoy left on Sunday, escorted by the UN."
)
PHRASE = "some 2250 people will leave"


@pytest.fixture
def reviewer_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def khalidi(db) -> Speaker:
    return SpeakerFactory(
        name="Abul Hareth al-Khalidi",
        kind=Speaker.Kind.PERSON,
        side_id=Speaker.Side.OPPOSITION,
        role="rebel negotiator",
        reference_url="https://www.wikidata.org/wiki/Q4115189",
    )


@pytest.fixture
def emoji_article(db) -> Article:
    return ArticleFactory(
        title="Rebels to leave Homs",
        outlet="Wire",
        url="https://news.example/homs",
        published_on=date(2014, 5, 4),
        text=EMOJI_TEXT,
    )


@pytest.fixture
def claim(alice: User, morgan: User, emoji_article: Article, khalidi: Speaker) -> Claim:
    alice.first_name, alice.last_name = "Alice", "Smith"
    alice.save(update_fields=["first_name", "last_name"])
    return make_verified(
        article=emoji_article,
        phrase=PHRASE,
        reviewer=alice,
        moderator=morgan,
        speaker=khalidi,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue="said",
        kind=Claim.Kind.QUANTITY,
        rationale='UN figures: 1,900 left.\nThe "2250" counts fighters only, as agreed.',
        sources=(
            ("https://un.example/ocha", Source.Stance.REFUTES),
            ("https://sohr.example/homs", Source.Stance.SUPPORTS),
        ),
    )


# json and jsonl -----------------------------------------------------------------


def test_the_json_export_gives_every_field_of_the_claim(
    reviewer_client: Client, claim: Claim
) -> None:
    document = json.loads(export_bytes(reviewer_client, "json"))
    assert document["updated_since"] is None
    assert document["count"] == 1
    [item] = document["items"]
    start = EMOJI_TEXT.index(PHRASE)
    assert item["id"] == claim.pk
    assert item["url"] == f"http://testserver/checks/{claim.pk}/"
    assert item["article"] == {
        "id": claim.article_id,
        "title": "Rebels to leave Homs",
        "url": "https://news.example/homs",
        "outlet": "Wire",
        "byline": "",
        "published_on": "2014-05-04",
        "language": "en",
        "text_sha256": claim.article.text_sha256,
    }
    assert (item["quote"], item["start"], item["end"]) == (PHRASE, start, start + len(PHRASE))
    assert item["prefix"] == EMOJI_TEXT[start - 32 : start]
    assert item["suffix"] == EMOJI_TEXT[start + len(PHRASE) :][:32]
    assert item["restatement"] == f"The article says: {PHRASE}"
    assert (item["kind"], item["attribution"], item["cue"]) == ("quantity", "reported", "said")
    assert item["speaker"] == {
        "id": claim.speaker_id,
        "name": "Abul Hareth al-Khalidi",
        "kind": "person",
        "side": "opposition",
        "role": "rebel negotiator",
        "reference_url": "https://www.wikidata.org/wiki/Q4115189",
        "wikidata_id": "",
    }
    assert item["verdict"] == {
        "rating": "mostly_true",
        "label": "Mostly true",
        "rating_value": 4,
        "rationale": 'UN figures: 1,900 left.\nThe "2250" counts fighters only, as agreed.',
        "reviewer": "Alice Smith",
    }
    assert [(s["url"], s["stance"]) for s in item["sources"]] == [
        ("https://un.example/ocha", "refutes"),
        ("https://sohr.example/homs", "supports"),
    ]
    claim.refresh_from_db()
    assert datetime.fromisoformat(item["verified_at"]) == claim.moderated_at
    assert datetime.fromisoformat(item["updated_at"]) == claim.updated_at
    assert datetime.fromisoformat(item["created_at"]) == claim.created_at
    assert item["verified_at"].endswith("Z")


def test_jsonl_gives_the_json_items_one_a_line(
    reviewer_client: Client, claim: Claim, alice: User, morgan: User, emoji_article: Article
) -> None:
    make_verified(article=emoji_article, phrase="the convoy", reviewer=alice, moderator=morgan)
    data = export_bytes(reviewer_client, "jsonl")
    lines = data.decode().split("\n")
    assert lines[-1] == "" and len(lines) == 3  # each line ends with a newline
    assert [json.loads(line) for line in lines[:-1]] == parse(
        "json", export_bytes(reviewer_client, "json")
    )


def test_a_claim_in_the_articles_own_voice_has_no_speaker(
    reviewer_client: Client, alice: User, morgan: User, emoji_article: Article
) -> None:
    make_verified(article=emoji_article, phrase="the convoy", reviewer=alice, moderator=morgan)
    [item] = parse("jsonl", export_bytes(reviewer_client, "jsonl"))
    assert item["speaker"] is None
    assert item["attribution"] == "author"


def test_an_unverifiable_verdict_has_no_number(
    reviewer_client: Client, alice: User, morgan: User, emoji_article: Article
) -> None:
    make_verified(
        article=emoji_article,
        phrase="the convoy",
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.UNVERIFIABLE,
    )
    [item] = parse("json", export_bytes(reviewer_client, "json"))
    assert (item["verdict"]["label"], item["verdict"]["rating_value"]) == ("Unverifiable", None)
    [row] = parse("csv", export_bytes(reviewer_client, "csv"))
    assert (row["verdict_label"], row["verdict_rating_value"]) == ("Unverifiable", "")


# csv ---------------------------------------------------------------------------


def test_the_csv_export_round_trips_through_the_csv_module(
    reviewer_client: Client, claim: Claim
) -> None:
    data = export_bytes(reviewer_client, "csv")
    assert data.startswith(b"\xef\xbb\xbfid,url,article_id,")  # BOM, then the header
    assert b"\r\n" in data  # the excel dialect's line ends
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header, *rows = list(reader)
    assert tuple(header) == CSV_COLUMNS
    [row] = [dict(zip(header, values, strict=True)) for values in rows]
    [item] = parse("json", export_bytes(reviewer_client, "json"))
    assert row["id"] == str(claim.pk)
    assert row["quote"] == item["quote"]
    assert row["verdict_rationale"] == item["verdict"]["rationale"]  # newline and quotes kept
    assert row["speaker_reference_url"] == "https://www.wikidata.org/wiki/Q4115189"
    assert row["verdict_rating_value"] == "4"
    assert row["sources"] == (
        "Refutes: Evidence at https://un.example/ocha — https://un.example/ocha\n"
        "Supports: Evidence at https://sohr.example/homs — https://sohr.example/homs"
    )
    for column in ("start", "end", "prefix", "suffix", "created_at", "verified_at"):
        assert row[column] == str(item[column])


def test_a_quote_starting_with_an_equals_sign_cannot_run_as_a_formula(
    reviewer_client: Client, alice: User, morgan: User
) -> None:
    formula = '=HYPERLINK("http://evil.example","2250")'
    article = ArticleFactory(text=f"The leaflet read {formula} and nothing more.")
    make_verified(
        article=article,
        phrase=formula,
        reviewer=alice,
        moderator=morgan,
        restatement="+2250 people left",
        rationale="@ministry figures, -12 on the day.",
    )
    [row] = parse("csv", export_bytes(reviewer_client, "csv"))
    assert row["quote"] == "'" + formula
    assert row["restatement"] == "'+2250 people left"
    assert row["verdict_rationale"] == "'@ministry figures, -12 on the day."
    assert row["suffix"] == " and nothing more."  # harmless cells are left alone
    # The other formats keep the text exactly.
    [item] = parse("json", export_bytes(reviewer_client, "json"))
    assert item["quote"] == formula


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells_that_start_a_formula_get_an_apostrophe(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


# Offsets ----------------------------------------------------------------------


def _offsets(fmt: str, item: dict) -> tuple[int, int]:
    if fmt == "w3c":
        [position] = [s for s in item["target"]["selector"] if s["type"] == "TextPositionSelector"]
        return position["start"], position["end"]
    return int(item["start"]), int(item["end"])


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "w3c"])
def test_offsets_count_code_points_in_every_format(
    reviewer_client: Client, claim: Claim, fmt: str
) -> None:
    [item] = parse(fmt, export_bytes(reviewer_client, fmt))
    start, end = _offsets(fmt, item)
    assert EMOJI_TEXT[start:end] == PHRASE
    # Not UTF-16 units, which JavaScript counts: three astral characters come before.
    utf16_start = len(EMOJI_TEXT[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 3


def test_the_claimreview_export_quotes_the_claim_exactly(
    reviewer_client: Client, claim: Claim
) -> None:
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert review["claimReviewed"] == f"The article says: {PHRASE}"


# ClaimReview ----------------------------------------------------------------------


def test_the_claimreview_has_googles_required_and_recommended_properties(
    reviewer_client: Client, claim: Claim, settings
) -> None:
    settings.FACTCHECK_PUBLISHER_NAME = "Homs Check"
    settings.FACTCHECK_PUBLISHER_URL = "https://check.example/"
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    claim.refresh_from_db()
    appearance = {
        "@type": "CreativeWork",
        "url": "https://news.example/homs",
        "headline": "Rebels to leave Homs",
        "datePublished": "2014-05-04",
        "publisher": {"@type": "Organization", "name": "Wire"},
    }
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"http://testserver/checks/{claim.pk}/",
        "claimReviewed": f"The article says: {PHRASE}",
        "datePublished": claim.moderated_at.date().isoformat(),
        "author": {"@type": "Organization", "name": "Homs Check", "url": "https://check.example/"},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": "Mostly true",
            "ratingValue": 4,
            "bestRating": 5,
            "worstRating": 1,
        },
        "reviewBody": claim.published_verdict.rationale,
        "itemReviewed": {
            "@type": "Claim",
            "author": {
                "@type": "Person",
                "name": "Abul Hareth al-Khalidi",
                "jobTitle": "rebel negotiator",
                "sameAs": "https://www.wikidata.org/wiki/Q4115189",
            },
            "datePublished": "2014-05-04",
            "appearance": appearance,
            "firstAppearance": appearance,
        },
    }


def test_without_a_publisher_url_the_author_links_to_the_site(
    reviewer_client: Client, claim: Claim
) -> None:
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert review["author"] == {
        "@type": "Organization",
        "name": "Fact-check desk",
        "url": "http://testserver/",
    }


@pytest.mark.parametrize(
    ("rating", "value"),
    [
        (Verdict.Rating.FALSE, 1),
        (Verdict.Rating.MOSTLY_FALSE, 2),
        (Verdict.Rating.MIXED, 3),
        (Verdict.Rating.TRUE, 5),
    ],
)
def test_the_rating_value_follows_the_documented_scale(
    reviewer_client: Client,
    alice: User,
    morgan: User,
    emoji_article: Article,
    rating: str,
    value: int,
) -> None:
    make_verified(
        article=emoji_article, phrase="the convoy", reviewer=alice, moderator=morgan, rating=rating
    )
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert review["reviewRating"]["ratingValue"] == value
    assert (review["reviewRating"]["worstRating"], review["reviewRating"]["bestRating"]) == (1, 5)


def test_an_unverifiable_rating_keeps_only_its_label(
    reviewer_client: Client, alice: User, morgan: User, emoji_article: Article
) -> None:
    make_verified(
        article=emoji_article,
        phrase="the convoy",
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.UNVERIFIABLE,
    )
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unverifiable"}


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (Speaker.Kind.ORGANISATION, "Organization"),
        (Speaker.Kind.UNNAMED, "Organization"),
        (Speaker.Kind.DOCUMENT, "Organization"),
    ],
)
def test_a_speaker_who_is_not_a_person_is_an_organization(
    reviewer_client: Client,
    alice: User,
    morgan: User,
    emoji_article: Article,
    kind: str,
    schema_type: str,
) -> None:
    speaker = SpeakerFactory(name="Syrian Observatory", kind=kind, role="monitor")
    make_verified(
        article=emoji_article,
        phrase="the convoy",
        reviewer=alice,
        moderator=morgan,
        speaker=speaker,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert review["itemReviewed"]["author"] == {"@type": schema_type, "name": "Syrian Observatory"}


def test_the_articles_own_voice_is_its_outlet_or_nobody(
    reviewer_client: Client, alice: User, morgan: User, emoji_article: Article
) -> None:
    bare = ArticleFactory(text="A bare article says the convoy left.")
    make_verified(article=emoji_article, phrase="the convoy", reviewer=alice, moderator=morgan)
    make_verified(article=bare, phrase="the convoy", reviewer=alice, moderator=morgan)
    with_outlet, without = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert with_outlet["itemReviewed"]["author"] == {"@type": "Organization", "name": "Wire"}
    assert "author" not in without["itemReviewed"]
    # An article with no URL, outlet or date still appears, by its title.
    assert without["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork",
        "headline": bare.title,
    }
    assert "datePublished" not in without["itemReviewed"]


def test_claim_reviewed_falls_back_to_the_quote(reviewer_client: Client, claim: Claim) -> None:
    Claim.objects.filter(pk=claim.pk).update(restatement="")  # as bulk-loaded data may be
    [review] = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert review["claimReviewed"] == PHRASE


def _expanded_terms(compact: object, expanded: object) -> None:
    """Check that every property of the compact document survived expansion as schema.org's."""
    if isinstance(compact, list):
        assert isinstance(expanded, list)
        for c, e in zip(compact, expanded, strict=True):
            _expanded_terms(c, e)
        return
    if not isinstance(compact, dict):
        return
    [node] = expanded if isinstance(expanded, list) else [expanded]
    for term, value in compact.items():
        if term == "@context":
            continue
        if term == "@type":
            assert node["@type"] == [SCHEMA + value]
            continue
        values = node[SCHEMA + term]  # KeyError: the term was dropped
        if isinstance(value, dict):
            _expanded_terms(value, values)
        elif term in ("url", "sameAs"):
            assert values == [{"@id": value}]
        elif term == "datePublished":
            assert values == [{"@value": value, "@type": SCHEMA + "Date"}]
        else:
            assert values == [{"@value": value}]


def test_the_claimreview_export_expands_as_json_ld_to_schema_org_terms(
    reviewer_client: Client, claim: Claim, alice: User, morgan: User, emoji_article: Article
) -> None:
    make_verified(
        article=emoji_article,
        phrase="the convoy",
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.UNVERIFIABLE,
    )
    document = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    expanded = jsonld.expand(document, {"documentLoader": schema_org_loader})
    assert len(expanded) == 2
    first = expanded[0]
    assert first["@type"] == [SCHEMA + "ClaimReview"]
    for key in ("claimReviewed", "reviewRating", "url", "author", "datePublished", "itemReviewed"):
        assert SCHEMA + key in first
    rating = first[SCHEMA + "reviewRating"][0]
    assert rating[SCHEMA + "ratingValue"] == [{"@value": 4}]
    for compact, node in zip(document, expanded, strict=True):
        _expanded_terms(compact, node)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_export_is_still_a_valid_document(reviewer_client: Client, fmt: str) -> None:
    assert parse(fmt, export_bytes(reviewer_client, fmt)) == []
