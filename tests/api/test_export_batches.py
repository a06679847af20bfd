"""Reading the export page by page: sources, shared rows, moments and queries across pages."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Article, Claim, Source, Verdict
from annotations.publishing import reader
from annotations.publishing.public import claims_for_pages
from annotations.publishing.records import ExportClaim

from ..factories import ArticleFactory, SpeakerFactory, UserFactory, make_claim_in_review, verify
from .export_helpers import FORMATS, export_bytes, make_verified, parse

# Each phrase occurs once: "Statement 1 says" is not a part of "Statement 10 says".
TEXT = " ".join(f"Statement {n} says café 😀 figures." for n in range(12))
SECRET = "https://secret.example/"


def _phrase(n: int) -> str:
    return f"Statement {n} says"


@pytest.fixture
def reviewer_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def text_article(db) -> Article:
    return ArticleFactory(text=TEXT)


def _verified_with_sources(
    n: int, count: int, *, article: Article, reviewer: User, moderator: User, **fields: object
) -> Claim:
    sources = tuple((f"https://src.example/{n}/{k}", Source.Stance.SUPPORTS) for k in range(count))
    return make_verified(
        article=article,
        phrase=_phrase(n),
        reviewer=reviewer,
        moderator=moderator,
        sources=sources,
        **fields,
    )


def _unverified_with_secret(n: int, *, article: Article, user: User) -> Claim:
    claim = make_claim_in_review(user=user, article=article, phrase=_phrase(n))
    services.source_add(
        claim=claim, user=user, url=f"{SECRET}{n}", stance=Source.Stance.REFUTES, title="SECRET"
    )
    return claim


def _source_urls(claims: object) -> list[tuple[int, list[str]]]:
    return [(claim.id, [s["url"] for s in claim.sources]) for claim in claims]  # type: ignore[attr-defined]


def _sources_query(queries: CaptureQueriesContext) -> str:
    [sql] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "annotations_source"')]
    return sql


# Sources across pages -------------------------------------------------------------


@pytest.fixture
def six_claims(alice: User, morgan: User, text_article: Article) -> list[Claim]:
    """Six verified claims with 0, 3, 1, 2, 0 and 1 sources, made in id order."""
    return [
        _verified_with_sources(n, count, article=text_article, reviewer=alice, moderator=morgan)
        for n, count in enumerate((0, 3, 1, 2, 0, 1))
    ]


@pytest.mark.parametrize("batch_size", [1, 2, 4, 6, 1000])
def test_each_claim_gets_its_own_sources_in_order_whatever_the_pages(
    six_claims: list[Claim], batch_size: int
) -> None:
    expected = [
        (claim.pk, [s.url for s in claim.sources.order_by("created_at", "id")])
        for claim in six_claims
    ]
    assert _source_urls(reader.verified_claims(batch_size=batch_size)) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_pages_of_two_give_the_same_bytes_as_one_page(
    reviewer_client: Client, six_claims: list[Claim], monkeypatch, fmt: str
) -> None:
    whole = export_bytes(reviewer_client, fmt)
    monkeypatch.setattr(reader, "BATCH_SIZE", 2)
    assert export_bytes(reviewer_client, fmt) == whole
    assert len(parse(fmt, whole)) == 6


@pytest.mark.parametrize("count", [4, 5])
def test_pages_of_two_read_every_claim_once_in_id_order(
    alice: User, morgan: User, text_article: Article, count: int
) -> None:
    made = [
        _verified_with_sources(n, 1, article=text_article, reviewer=alice, moderator=morgan)
        for n in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        ids = [claim.id for claim in reader.verified_claims(batch_size=2)]
    assert ids == [claim.pk for claim in made]
    claim_queries = [q for q in queries if q["sql"].startswith('SELECT "annotations_claim"')]
    # A full last page needs one more query to find that nothing follows.
    assert len(claim_queries) == count // 2 + 1


@pytest.mark.parametrize("between", [1, 4])
def test_the_sources_of_claims_between_a_pages_claims_never_leave(
    reviewer_client: Client,
    alice: User,
    morgan: User,
    text_article: Article,
    monkeypatch,
    between: int,
) -> None:
    # One unverified claim between the two verified ones: the page reads its
    # sources by the range of ids and leaves them; four: the page is sparse,
    # and the sources query names the page's claims.
    first = _verified_with_sources(0, 2, article=text_article, reviewer=alice, moderator=morgan)
    for n in range(1, between + 1):
        _unverified_with_secret(n, article=text_article, user=alice)
    last = _verified_with_sources(
        between + 1, 1, article=text_article, reviewer=alice, moderator=morgan
    )
    with CaptureQueriesContext(connection) as queries:
        read = _source_urls(reader.verified_claims(batch_size=2))
    assert read == [
        (first.pk, ["https://src.example/0/0", "https://src.example/0/1"]),
        (last.pk, [f"https://src.example/{between + 1}/0"]),
    ]
    sparse = between == 4
    assert ('"annotations_claim"' in _sources_query(queries)) == sparse
    monkeypatch.setattr(reader, "BATCH_SIZE", 2)
    for fmt in FORMATS:
        data = export_bytes(reviewer_client, fmt)
        assert SECRET.encode() not in data and b"SECRET" not in data, fmt


def test_an_incremental_pull_reads_only_the_sources_of_its_claims(
    alice: User, morgan: User, text_article: Article
) -> None:
    old = [
        _verified_with_sources(n, 1, article=text_article, reviewer=alice, moderator=morgan)
        for n in range(5)
    ]
    since = datetime(2030, 1, 1, tzinfo=UTC)
    Claim.objects.filter(pk__in=[old[0].pk, old[4].pk]).update(updated_at=since)
    with CaptureQueriesContext(connection) as queries:
        read = _source_urls(reader.verified_claims(updated_since=since))
    assert read == [
        (old[0].pk, ["https://src.example/0/0"]),
        (old[4].pk, ["https://src.example/4/0"]),
    ]
    assert '"updated_at" >=' in _sources_query(queries)


# Articles, speakers and reviewers, read once ----------------------------------------


def test_a_page_costs_five_queries_however_many_people_and_articles_it_names(
    morgan: User, django_assert_num_queries
) -> None:
    for n in range(6):
        reviewer = UserFactory(groups=["Reviewers"])
        make_verified(
            article=ArticleFactory(text=f"{TEXT} ({n})"),
            phrase=_phrase(n),
            reviewer=reviewer,
            moderator=morgan,
            speaker=SpeakerFactory(),
            attribution=Claim.Attribution.REPORTED_SPEECH,
        )
    # The claims, their sources, then the articles, speakers and reviewers.
    with django_assert_num_queries(5):
        claims = list(reader.verified_claims())
    assert len({(c.article.id, c.speaker.id, c.reviewer.id) for c in claims}) == 6  # type: ignore[union-attr]


def test_a_page_naming_no_one_new_costs_two_queries(
    six_claims: list[Claim], django_assert_num_queries
) -> None:
    read = reader.verified_claims(batch_size=4)
    first_page = [next(read) for _ in range(4)]  # reads the article and the reviewer
    with django_assert_num_queries(2):
        rest = list(read)  # the last page, of two: its claims and their sources
    assert len(first_page + rest) == 6


def test_forgetting_shared_rows_between_pages_keeps_each_claim_right(
    alice: User, bob: User, morgan: User, monkeypatch
) -> None:
    monkeypatch.setattr(reader, "SHARED_LIMIT", 1)
    articles = [ArticleFactory(text=f"{TEXT} ({n})", title=f"Article {n}") for n in range(3)]
    speakers = [SpeakerFactory(name=f"Speaker {n}") for n in range(2)]
    made = [
        make_verified(
            article=articles[n % 3],
            phrase=_phrase(n),
            reviewer=(alice, bob)[n % 2],
            moderator=morgan,
            speaker=speakers[n % 2] if n % 3 else None,
            attribution=(Claim.Attribution.REPORTED_SPEECH if n % 3 else Claim.Attribution.AUTHOR),
        )
        for n in range(7)
    ]
    read = list(reader.verified_claims(batch_size=2))
    assert [(c.article.title, c.speaker and c.speaker.name, c.reviewer.name) for c in read] == [
        (m.article.title, m.speaker and m.speaker.name, m.published_verdict.reviewer.username)
        for m in made
    ]


def test_the_public_page_reads_the_same_record_as_the_export(
    alice: User, morgan: User, text_article: Article
) -> None:
    alice.first_name, alice.last_name = "Alice", "Smith"
    alice.save(update_fields=["first_name", "last_name"])
    speaker = SpeakerFactory(name="Abul Hareth", role="negotiator")
    claim = make_verified(
        article=text_article,
        phrase=_phrase(3),
        reviewer=alice,
        moderator=morgan,
        speaker=speaker,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        rating=Verdict.Rating.UNVERIFIABLE,
        sources=(("https://un.example/a", "refutes"), ("https://un.example/b", "supports")),
    )
    [read] = reader.verified_claims()
    from_page = ExportClaim.from_model(claims_for_pages().get(pk=claim.pk))
    assert from_page == read
    assert read.reviewer.name == "Alice Smith"


# What pages turn into ---------------------------------------------------------------


def test_a_source_without_title_or_date_and_one_with_both(
    reviewer_client: Client, alice: User, bob: User, morgan: User, text_article: Article
) -> None:
    claim = make_claim_in_review(user=bob, article=text_article, phrase=_phrase(2))
    services.source_add(claim=claim, user=alice, url="https://a.example/", stance="supports")
    services.source_add(
        claim=claim,
        user=alice,
        url="https://b.example/",
        stance="context",
        title="=Report",
        publisher="UN",
        published_on=date(2014, 5, 1),
    )
    verdict = services.verdict_give(claim=claim, user=alice, rating="true", rationale="Checked.")
    verify(claim, moderator=morgan, verdict=verdict)
    [item] = parse("jsonl", export_bytes(reviewer_client, "jsonl"))
    assert [(s["title"], s["published_on"]) for s in item["sources"]] == [
        ("", None),
        ("=Report", "2014-05-01"),
    ]
    [row] = parse("csv", export_bytes(reviewer_client, "csv"))
    assert row["sources"] == (
        "Supports: https://a.example/\nAdds context: =Report — https://b.example/"
    )


def test_a_moment_on_the_second_has_no_fraction_and_others_have_six_digits(
    reviewer_client: Client, six_claims: list[Claim]
) -> None:
    on_the_second = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    a_little_after = datetime(2024, 5, 1, 12, 0, 0, 400000, tzinfo=UTC)
    Claim.objects.filter(pk=six_claims[0].pk).update(updated_at=on_the_second)
    Claim.objects.filter(pk=six_claims[1].pk).update(updated_at=a_little_after)
    for fmt in ("jsonl", "csv"):
        first, second, *_ = parse(fmt, export_bytes(reviewer_client, fmt))
        assert first["updated_at"] == "2024-05-01T12:00:00Z"
        assert second["updated_at"] == "2024-05-01T12:00:00.400000Z"
    w3c = parse("w3c", export_bytes(reviewer_client, "w3c"))
    assert (w3c[0]["modified"], w3c[1]["modified"]) == (
        "2024-05-01T12:00:00Z",
        "2024-05-01T12:00:00.400000Z",
    )


@pytest.mark.parametrize(
    ("time_zone", "day"), [("UTC", "2024-05-01"), ("Asia/Tokyo", "2024-05-02")]
)
def test_a_claimreview_is_dated_by_the_sites_time_zone(
    reviewer_client: Client, six_claims: list[Claim], settings, time_zone: str, day: str
) -> None:
    settings.TIME_ZONE = time_zone
    late = datetime(2024, 5, 1, 23, 30, tzinfo=UTC)
    Claim.objects.filter(pk=six_claims[0].pk).update(moderated_at=late)
    first, *_ = parse("claimreview", export_bytes(reviewer_client, "claimreview"))
    assert first["datePublished"] == day
