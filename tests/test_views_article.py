"""The article page: who reaches it, what it holds, how many queries it costs."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from annotations.models import Article, Claim, Speaker, Verdict

from .factories import (
    ARTICLE_TEXT,
    ArticleFactory,
    SpeakerFactory,
    make_claim,
    make_claim_in_review,
)


def page_data(response: HttpResponse) -> dict:
    """Return the JSON the page hands its script."""
    match = re.search(
        r'<script id="desk-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries no data for its script"
    return json.loads(match.group(1))


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(client: Client, article: Article) -> None:
    url = reverse("article_detail", args=[article.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_outsider_is_told_to_ask_for_the_reviewers_group(
    client: Client, charlie: User, article: Article
) -> None:
    client.force_login(charlie)

    response = client.get(reverse("article_detail", args=[article.pk]))

    assert response.status_code == 403
    assert "Reviewers group" in response.content.decode()
    assert article.text not in response.content.decode()


def test_a_missing_article_is_not_found(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert client.get(reverse("article_detail", args=[999])).status_code == 404


@pytest.mark.parametrize("actor", ["alice", "bob", "morgan"])
def test_the_desk_sees_every_claim_of_the_article_in_text_order(
    client: Client, request: pytest.FixtureRequest, alice: User, article: Article, actor: str
) -> None:
    later = make_claim(user=alice, article=article, phrase="mostly fighters")
    earlier = make_claim(user=alice, article=article, phrase="some 2250 people")
    client.force_login(request.getfixturevalue(actor))

    data = page_data(client.get(reverse("article_detail", args=[article.pk])))

    assert [c["id"] for c in data["claims"]] == [earlier.pk, later.pk]
    start = ARTICLE_TEXT.index("some 2250 people")
    expected = {
        "id": earlier.pk,
        "article": article.pk,
        "start": start,
        "end": start + len("some 2250 people"),
        "quote": "some 2250 people",
        "kind": "other",
        "status": "draft",
        "attribution": "author",
        "speaker": None,
        "verdict_count": 0,
        "created_by": "alice",
        "version": 1,
    }
    assert {key: data["claims"][0][key] for key in expected} == expected
    assert data["text"] == ARTICLE_TEXT
    assert data["user"] == request.getfixturevalue(actor).username


def test_the_page_hands_its_script_each_claim_as_the_api_gives_it(
    client: Client, alice: User, article: Article, opposition: Speaker
) -> None:
    make_claim(user=alice, article=article, phrase="mostly fighters")
    make_claim_in_review(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    client.force_login(alice)
    api = client.get(reverse("api-claim-list"), {"article": article.pk}).json()["results"]

    data = page_data(client.get(reverse("article_detail", args=[article.pk])))

    assert sorted(data["claims"], key=lambda c: c["id"]) == api
    assert data["urls"] == {
        "claims": reverse("api-claim-list"),
        "speakers": reverse("api-speaker-list"),
        "suggestions": reverse("api-suggestion-list", args=[article.pk]),
        "dismissSuggestion": reverse("api-suggestion-dismiss", args=[article.pk]),
        "panel": reverse("claim_panel", args=[0]),
    }
    assert data["csrfToken"]


def test_the_page_counts_each_claims_verdicts_and_names_its_speaker(
    client: Client, alice: User, bob: User, dana: User, article: Article, opposition: Speaker
) -> None:
    claim = make_claim_in_review(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    services.verdict_give(claim=claim, user=dana, rating="true", rationale="Counted.")
    services.verdict_give(claim=claim, user=bob, rating="mixed", rationale="Roughly.")
    client.force_login(bob)

    response = client.get(reverse("article_detail", args=[article.pk]))
    data = page_data(response)

    assert data["claims"][0]["verdict_count"] == 2
    assert data["claims"][0]["speaker"] == opposition.pk
    assert data["speakers"] == [
        {
            "id": opposition.pk,
            "name": "Opposition sources",
            "kind": "unnamed",
            "side": "opposition",
            "role": "",
        }
    ]
    assert 'data-count-status="in_review">1<' in response.content.decode()


def test_the_text_is_drawn_as_paragraphs_with_their_code_point_offsets(
    client: Client, alice: User
) -> None:
    text = "Flag 🇸🇾 first.\r\n\r\nCafe\u0301 second.\nThird"
    article = ArticleFactory(text=text)
    client.force_login(alice)

    page = client.get(reverse("article_detail", args=[article.pk])).content.decode()

    paragraphs = re.findall(
        r'<p class="para" dir="auto" data-start="(\d+)" data-end="(\d+)">(.*?)</p>', page
    )
    assert paragraphs == [
        ("0", "14", "Flag 🇸🇾 first."),  # the flag is two code points
        ("18", "31", "Cafe\u0301 second."),  # after \r\n\r\n; the accent is one more
        ("32", "37", "Third"),
    ]
    for start, end, shown in paragraphs:
        assert text[int(start) : int(end)] == shown


def test_it_escapes_hostile_text_from_the_database(client: Client, alice: User) -> None:
    hostile = "<script>alert('x')</script>"
    article = ArticleFactory(title=f"Title {hostile}", text=f"He said {hostile} twice.")
    speaker = SpeakerFactory(name=f"Speaker {hostile}")
    make_claim(
        user=alice,
        article=article,
        phrase=hostile,
        speaker=speaker,
        attribution=Claim.Attribution.DIRECT_QUOTE,
    )
    client.force_login(alice)

    page = client.get(reverse("article_detail", args=[article.pk])).content.decode()

    assert "<script>alert" not in page
    assert "Title &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "He said &lt;script&gt;" in page
    assert "\\u003Cscript\\u003Ealert" in page  # in the script's JSON
    data = page_data(client.get(reverse("article_detail", args=[article.pk])))
    assert data["claims"][0]["quote"] == hostile
    assert data["speakers"][0]["name"] == f"Speaker {hostile}"


def test_a_reviewer_gets_the_claim_form(client: Client, alice: User) -> None:
    article = ArticleFactory()
    client.force_login(alice)

    page = client.get(reverse("article_detail", args=[article.pk])).content.decode()

    assert 'id="claim-form"' in page
    assert "data-submit>Save and submit" in page
    assert 'maxlength="200" placeholder="Type a name or alias"' in page


def test_the_page_loads_its_script_as_a_module(client: Client, alice: User) -> None:
    article = ArticleFactory()
    client.force_login(alice)

    page = client.get(reverse("article_detail", args=[article.pk])).content.decode()

    assert '<script type="module" src="/static/js/desk.js"></script>' in page


def _bulk_claims(article: Article, user: User, count: int, speakers: list[Speaker | None]) -> None:
    """Make ``count`` valid claims fast: spans of words of the text, some with verdicts."""
    words = [m.span() for m in re.finditer(r"\w+(?:\W+\w+){0,3}", article.text)]
    claims = []
    for i in range(count):
        start, end = words[i % len(words)]
        end += i % 3  # some spans nest or overlap others
        end = min(end, len(article.text))
        speaker = speakers[i % len(speakers)]
        claims.append(
            Claim(
                article=article,
                start=start,
                end=end,
                quote=article.text[start:end],
                prefix=article.text[max(0, start - 32) : start],
                suffix=article.text[end : end + 32],
                speaker=speaker,
                attribution="reported" if speaker else "author",
                kind=Claim.Kind.values[i % len(Claim.Kind.values)],
                status=Claim.Status.IN_REVIEW if i % 2 else Claim.Status.DRAFT,
                restatement=f"Claim {i}",
                created_by=user,
            )
        )
    made = Claim.objects.bulk_create(claims)
    Verdict.objects.bulk_create(
        Verdict(claim=claim, reviewer=user, rating="mixed", rationale="Bulk.")
        for claim in made[::5]
    )


def _queries_for_page(client: Client, article: Article) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("article_detail", args=[article.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_article_page_costs_as_many_queries_with_1000_claims_as_with_10(
    client: Client, alice: User
) -> None:
    text = " ".join([ARTICLE_TEXT] * 20)
    few = ArticleFactory(text=text)
    many = ArticleFactory(text=text + " ")
    speakers = [
        SpeakerFactory(side_id=Speaker.Side.OPPOSITION),
        SpeakerFactory(side_id=Speaker.Side.GOVERNMENT),
        None,
    ]
    _bulk_claims(few, alice, 10, speakers)
    _bulk_claims(many, alice, 1000, speakers)
    client.force_login(alice)
    _queries_for_page(client, few)  # warm the session and the permission caches alike

    with_ten = _queries_for_page(client, few)
    with_thousand = _queries_for_page(client, many)

    assert len(page_data(client.get(reverse("article_detail", args=[many.pk])))["claims"]) == 1000
    assert with_thousand == with_ten


class _TextOf(HTMLParser):
    """Collect the text inside the element that carries data-article-text, as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif "data-article-text" in dict(attrs):
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


@pytest.mark.parametrize(
    "text",
    [
        "Flag 🇸🇾 first.\r\n\r\nCafe\u0301 second.\nThird",
        "\n  Leading blank lines, \u00a0 inner  spaces, trailing ones.  \n\n\n",
        "“Curly,” she said.\n\nمرحبا بالعالم 👍🏽 and on.\n\nA <b>tag</b> & an &amp; entity.\r",
        "Lone\rcarriage return, then \t a tab and a line\u2028separator.",
    ],
)
def test_the_text_container_holds_exactly_the_article_text(
    client: Client, alice: User, text: str
) -> None:
    article = ArticleFactory(text=text)
    client.force_login(alice)

    page = client.get(reverse("article_detail", args=[article.pk])).content.decode()

    parser = _TextOf()
    parser.feed(page)
    assert "".join(parser.parts) == text
    assert page.count("data-article-text") == 1
    assert "\r" not in page  # a browser would read it as \n: it is written as &#13;
