"""Speakers, articles, and the read-only verdicts and sources on the moderators' desk."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from annotations.admin.forms import TEXT_LOCKED_HELP
from annotations.models import Article, Claim, Source, Speaker, SpeakerAlias, Verdict

from .factories import (
    ARTICLE_TEXT,
    ArticleFactory,
    UserFactory,
    give_verdict,
    make_claim_in_review,
)


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:annotations_{name}", args=args)


def speaker_data(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Syrian Observatory for Human Rights",
        "aliases": "",
        "kind": "organisation",
        "side": "independent_monitor",
        "role": "",
        "reference_url": "",
    } | changes


def article_data(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Homs deal",
        "outlet": "AFP",
        "byline": "",
        "url": "",
        "published_on": "",
        "language": "en",
        "text": "First line.\r\nSecond line.",
    } | changes


@pytest.fixture
def sam(db: None) -> User:
    """A reviewer who is staff, so reaches the admin, but may not moderate."""
    return UserFactory(username="sam", is_staff=True, groups=["Reviewers"])


@pytest.fixture
def sohr(db: None) -> Speaker:
    return services.speaker_create(
        user=None,
        name="Syrian Observatory for Human Rights",
        kind="organisation",
        side="independent_monitor",
        aliases=["SOHR", "the Observatory"],
    )


# Speakers --------------------------------------------------------------------


def test_it_lists_speakers_with_their_aliases(
    client: Client, morgan: User, sohr: Speaker, opposition: Speaker
) -> None:
    client.force_login(morgan)
    response = client.get(url("speaker_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<td class="field-alias_list">SOHR, the Observatory</td>' in page
    assert '<td class="field-side nowrap">Independent monitor</td>' in page
    response = client.get(url("speaker_changelist"), {"q": "observatory"})
    assert list(response.context["cl"].result_list) == [sohr]
    response = client.get(url("speaker_changelist"), {"side__slug__exact": "opposition"})
    assert list(response.context["cl"].result_list) == [opposition]


def test_the_claim_form_finds_speakers_by_alias(
    client: Client, morgan: User, sohr: Speaker, opposition: Speaker
) -> None:
    client.force_login(morgan)
    query = {"app_label": "annotations", "model_name": "claim", "field_name": "speaker"}
    response = client.get(reverse("admin:autocomplete"), query | {"term": "sohr"})
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [sohr.name]


def test_it_creates_a_speaker_with_aliases_through_the_service(
    client: Client, morgan: User
) -> None:
    client.force_login(morgan)
    response = client.post(
        url("speaker_add"), speaker_data(name="  Free  Syrian Army ", aliases="FSA\r\n\r\nfsa\r\n")
    )
    assert response.status_code == 302
    speaker = Speaker.objects.get()
    assert speaker.name == "Free Syrian Army"
    assert speaker.created_by == morgan
    assert [a.name for a in speaker.aliases.all()] == ["FSA"]
    assert speaker.history.get().history_user == morgan


def test_it_shows_an_alias_clash_on_the_form(client: Client, morgan: User, sohr: Speaker) -> None:
    client.force_login(morgan)
    response = client.post(url("speaker_add"), speaker_data(name="Observatory", aliases="sohr"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["aliases"] == [
        f"“SOHR” is already an alias of Syrian Observatory for Human Rights (id {sohr.pk})."
    ]
    assert "is already an alias of Syrian Observatory" in response.content.decode()
    assert Speaker.objects.count() == 1
    assert SpeakerAlias.objects.count() == 2


def test_it_shows_a_name_clash_on_the_form(client: Client, morgan: User, sohr: Speaker) -> None:
    client.force_login(morgan)
    response = client.post(url("speaker_add"), speaker_data(name="the observatory"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "“the observatory” is already an alias of Syrian Observatory for Human Rights "
        f"(id {sohr.pk})."
    ]
    assert Speaker.objects.count() == 1


def test_it_changes_a_speakers_aliases(client: Client, morgan: User, sohr: Speaker) -> None:
    client.force_login(morgan)
    response = client.get(url("speaker_change", sohr.pk))
    assert response.context["adminform"].form["aliases"].value() == "SOHR\nthe Observatory"
    response = client.post(
        url("speaker_change", sohr.pk),
        speaker_data(aliases="SOHR\r\nOSDH", role="UK-based monitor"),
    )
    assert response.status_code == 302
    sohr.refresh_from_db()
    assert sohr.role == "UK-based monitor"
    assert sorted(a.name for a in sohr.aliases.all()) == ["OSDH", "SOHR"]
    assert sohr.history.first().history_user == morgan


def test_a_staff_reviewer_cannot_change_speakers(client: Client, sam: User, sohr: Speaker) -> None:
    client.force_login(sam)
    response = client.post(url("speaker_change", sohr.pk), speaker_data(role="Changed by sam"))
    assert response.status_code == 403
    sohr.refresh_from_db()
    assert sohr.role == ""


def test_nobody_deletes_speakers_from_the_desk(client: Client, morgan: User, sohr: Speaker) -> None:
    client.force_login(morgan)
    assert client.post(url("speaker_delete", sohr.pk), {"post": "yes"}).status_code == 403
    assert Speaker.objects.filter(pk=sohr.pk).exists()


# Articles --------------------------------------------------------------------


def test_it_lists_articles_with_their_claim_counts_without_a_query_per_row(
    client: Client, morgan: User, alice: User
) -> None:
    client.force_login(morgan)
    first = ArticleFactory(title="", outlet="AFP")
    client.get(url("article_changelist"))  # warm the caches
    with CaptureQueriesContext(connection) as one:
        client.get(url("article_changelist"))
    for phrase in ("some 2250 people", "since June 2012"):
        make_claim_in_review(user=alice, article=first, phrase=phrase)
    for i in range(5):
        other = ArticleFactory(text=f"{ARTICLE_TEXT} ({i})")
        make_claim_in_review(user=alice, article=other, phrase="flashpoint city")
    with CaptureQueriesContext(connection) as six:
        response = client.get(url("article_changelist"))
    assert len(six.captured_queries) == len(one.captured_queries)
    rows = {a.pk: a.claim_count for a in response.context["cl"].result_list}
    assert len(rows) == 6
    assert rows[first.pk] == 2
    page = response.content.decode()
    assert "The deal over the Old City of Homs, under total…" in page
    response = client.get(url("article_changelist"), {"q": "afp"})
    assert list(response.context["cl"].result_list) == [first]


def test_it_creates_an_article_with_lf_line_breaks(client: Client, morgan: User) -> None:
    client.force_login(morgan)
    response = client.post(url("article_add"), article_data())
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.text == "First line.\nSecond line."
    assert article.text_sha256 == services.text_sha256("First line.\nSecond line.")
    assert article.created_by == morgan
    assert article.history.get().history_user == morgan


def test_it_refuses_an_article_without_text(client: Client, morgan: User) -> None:
    client.force_login(morgan)
    response = client.post(url("article_add"), article_data(text=" \r\n "))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"] == [
        "The article has no text: paste its body text."
    ]
    assert not Article.objects.exists()


def test_it_refuses_a_text_loaded_before(client: Client, morgan: User, article: Article) -> None:
    client.force_login(morgan)
    same_text = article.text.replace("\n", "\r\n")  # as a browser sends it
    response = client.post(url("article_add"), article_data(text=same_text))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"] == [
        f"This text is already loaded as “{article.title}” (article {article.pk})."
    ]
    assert Article.objects.count() == 1


def test_it_changes_the_text_while_no_claim_stands_on_it(
    client: Client, morgan: User, article: Article
) -> None:
    client.force_login(morgan)
    response = client.get(url("article_change", article.pk))
    assert 'name="text"' in response.content.decode()
    response = client.post(
        url("article_change", article.pk), article_data(title=article.title, text="New\r\ntext")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.text == "New\ntext"
    assert article.text_sha256 == services.text_sha256("New\ntext")


def test_it_keeps_the_text_read_only_once_claims_exist(
    client: Client, morgan: User, alice: User, article: Article
) -> None:
    make_claim_in_review(user=alice, article=article, phrase="some 2250 people")
    text, sha = article.text, article.text_sha256
    client.force_login(morgan)
    response = client.get(url("article_change", article.pk))
    page = response.content.decode()
    assert 'name="text"' not in page
    assert "text" not in response.context["adminform"].form.fields
    assert TEXT_LOCKED_HELP in page
    response = client.post(
        url("article_change", article.pk), article_data(title="Homs: the deal", text="Replaced.")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Homs: the deal"
    assert (article.text, article.text_sha256) == (text, sha)


def test_a_reviewer_on_staff_cannot_add_articles(client: Client, sam: User) -> None:
    client.force_login(sam)
    assert client.post(url("article_add"), article_data()).status_code == 403
    assert not Article.objects.exists()


# Verdicts and sources: read-only -----------------------------------------------


@pytest.fixture
def claim(alice: User, bob: User, article: Article) -> Claim:
    claim = make_claim_in_review(user=alice, article=article, phrase="some 2250 people")
    give_verdict(claim, bob)
    services.source_add(
        claim=claim,
        user=alice,
        url="https://example.org/un-report",
        stance="supports",
        title="UN situation report",
    )
    return claim


@pytest.mark.parametrize("model", ["verdict", "source"])
def test_the_desk_only_looks_at_verdicts_and_sources(
    client: Client, morgan: User, claim: Claim, model: str
) -> None:
    obj = claim.verdicts.get() if model == "verdict" else claim.sources.get()
    client.force_login(morgan)
    response = client.get(url(f"{model}_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    response = client.get(url(f"{model}_change", obj.pk))
    assert response.status_code == 200
    assert "<textarea" not in response.content.decode()  # view only
    assert client.get(url(f"{model}_add")).status_code == 403
    assert client.post(url(f"{model}_change", obj.pk), {"rationale": "x"}).status_code == 403
    assert client.post(url(f"{model}_delete", obj.pk), {"post": "yes"}).status_code == 403
    assert client.get(url(f"{model}_history", obj.pk)).status_code == 200
    assert Verdict.objects.count() == 1 and Source.objects.count() == 1


def test_it_searches_and_filters_verdicts(
    client: Client, morgan: User, dana: User, claim: Claim
) -> None:
    give_verdict(claim, dana, Verdict.Rating.FALSE)
    client.force_login(morgan)
    response = client.get(url("verdict_changelist"), {"rating__exact": "false"})
    assert [v.reviewer for v in response.context["cl"].result_list] == [dana]
    response = client.get(url("verdict_changelist"), {"q": "bob checked"})
    assert [v.rating for v in response.context["cl"].result_list] == ["mostly_true"]
