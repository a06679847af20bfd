"""Bad input gets a clear 4xx that names what is wrong, never a 500, and changes nothing."""

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework import serializers
from rest_framework.test import APIClient

from annotations import services
from annotations.api import serializers as api_serializers
from annotations.models import (
    ARTICLE_TEXT_MAX,
    EXCERPT_MAX,
    NOTE_MAX,
    RATIONALE_MAX,
    REASON_MAX,
    RESTATEMENT_MAX,
    Article,
    Claim,
    Source,
    Speaker,
    Verdict,
)
from tests.factories import ArticleFactory

from .conftest import Desk

Clients = Callable[[User], APIClient]


@pytest.fixture(autouse=True)
def _no_debug_pages(settings: pytest.FixtureRequest) -> None:
    # As in production: an unexpected error would be a 500, not a debug page.
    settings.DEBUG = False


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, Speaker, Claim, Source, Verdict)
    }


@pytest.fixture
def nothing_changes(db: None) -> Iterator[None]:
    """Fail the test if it leaves any row more or fewer than it found."""
    before = _counts()
    yield
    assert _counts() == before


def _writes(desk: Desk, alice: User, bob: User, morgan: User) -> list[tuple[User, str, str]]:
    """Return a write of every kind the API takes, each by one who may make it."""
    claim = desk.in_review.pk
    return [
        (morgan, "post", "/api/articles/"),
        (alice, "post", "/api/speakers/"),
        (alice, "post", "/api/claims/"),
        (alice, "patch", f"/api/claims/{desk.draft.pk}/"),
        (morgan, "post", f"/api/claims/{claim}/reject/"),
        (alice, "post", f"/api/claims/{claim}/sources/"),
        (bob, "patch", f"/api/claims/{claim}/sources/{desk.source.pk}/"),
        (alice, "post", f"/api/claims/{claim}/verdicts/"),
        (bob, "patch", f"/api/claims/{claim}/verdicts/{desk.verdict.pk}/"),
    ]


# The size of a body ------------------------------------------------------------


def test_a_body_over_the_size_limit_gets_413_naming_the_limit_on_every_write(
    client_for: Clients,
    alice: User,
    bob: User,
    morgan: User,
    desk: Desk,
    settings: pytest.FixtureRequest,
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = _counts()
    body = json.dumps({"rationale": "x" * 2000, "name": "x" * 2000})
    for user, method, path in _writes(desk, alice, bob, morgan):
        response = getattr(client_for(user), method)(path, body, content_type="application/json")
        assert response.status_code == 413, path
        assert response.json() == {
            "detail": "The request body is larger than the 1,000 bytes the API reads; "
            "nothing was changed."
        }
    assert _counts() == before


def test_a_body_within_the_limit_is_read(
    client_for: Clients, alice: User, settings: pytest.FixtureRequest, db: None
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(alice).post("/api/speakers/", {"name": "SOHR", "kind": "organisation"})
    assert response.status_code == 201


# What a body is ------------------------------------------------------------------


def test_a_json_body_nested_a_thousand_deep_gets_400(
    client_for: Clients, alice: User, desk: Desk, nothing_changes: None
) -> None:
    for body in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000):
        response = client_for(alice).post("/api/claims/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"].startswith("JSON parse error - the body is nested")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"name=SOHR&kind=organisation"),
        ("application/x-www-form-urlencoded", b"name=\xff\xfeSOHR&kind=organisation"),
        (
            "multipart/form-data; boundary=XYZ",
            b'--XYZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nSOHR\r\n--XYZ--\r\n',
        ),
        ("text/plain", b'{"name": "SOHR", "kind": "organisation"}'),
    ],
)
def test_a_body_that_is_not_json_gets_415(
    client_for: Clients,
    alice: User,
    bob: User,
    morgan: User,
    desk: Desk,
    content_type: str,
    body: bytes,
) -> None:
    before = _counts()
    for user, method, path in _writes(desk, alice, bob, morgan):
        response = getattr(client_for(user), method)(path, body, content_type=content_type)
        assert response.status_code == 415, path
        assert response.json() == {"detail": f'Unsupported media type "{content_type}" in request.'}
    assert _counts() == before


def test_the_browsable_api_offers_json_only_in_its_form(alice: User, desk: Desk) -> None:
    client = APIClient()
    client.force_login(alice)
    page = client.get("/api/claims/", HTTP_ACCEPT="text/html").content.decode()
    assert 'name="_content"' in page
    assert '<option value="application/json"' in page
    assert "multipart/form-data</option>" not in page
    assert "application/x-www-form-urlencoded</option>" not in page


def test_the_browsable_api_posts_json_through_its_raw_data_form(alice: User, desk: Desk) -> None:
    """Its script sends the raw-data form's text as the body, with the session's CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get("/api/speakers/", HTTP_ACCEPT="text/html").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = client.post(
        "/api/speakers/",
        json.dumps({"name": "SOHR", "kind": "organisation"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201
    assert Speaker.objects.filter(name="SOHR").exists()


# NUL in a query string -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/?q=a%00",
        "/articles/1/?status=%00",
        "/admin/annotations/claim/?status=1%00",
        "/admin/annotations/claim/?q=a%00",
        "/admin/annotations/speaker/?q=a%00",
        "/admin/annotations/article/?q%00=a",
    ],
)
def test_a_nul_in_a_web_page_query_gets_a_400_page(morgan: User, path: str) -> None:
    client = Client()
    client.force_login(morgan)
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "null character" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/speakers/?search=a%00", "search"),
        ("/api/claims/?status=in_review%00", "status"),
        ("/api/claims/?cursor=%00", "cursor"),
        ("/api/export/?format=jsonl%00", "format"),
    ],
)
def test_a_nul_in_an_api_query_gets_json_naming_the_parameter(
    client_for: Clients, alice: User, path: str, field: str
) -> None:
    response = client_for(alice).get(path)
    assert response.status_code == 400
    assert response.json() == {field: ["Null characters are not allowed."]}


# Strict types ----------------------------------------------------------------------


def _input_serializers() -> list[type[serializers.Serializer]]:
    return [
        cls
        for cls in vars(api_serializers).values()
        if isinstance(cls, type)
        and issubclass(cls, serializers.Serializer)
        and cls.__name__.endswith("Input")
    ]


def test_every_string_of_every_input_refuses_other_types() -> None:
    """Every text field of every input is a StringField (the claim's inputs included)."""
    for cls in _input_serializers():
        fields = cls().fields
        for name, field in fields.items():
            if isinstance(field, serializers.ListField):
                field = field.child
            if type(field) is serializers.CharField:
                pytest.fail(f"{cls.__name__}.{name} would turn a number into a string")
    assert isinstance(
        api_serializers.ClaimCreateInput().fields["quote"], api_serializers.StringField
    )


@pytest.mark.parametrize(
    ("write", "body", "field", "message"),
    [
        ("speaker", {"name": 0, "kind": "person"}, "name", "Not a valid string"),
        ("speaker", {"name": "X", "kind": "person", "aliases": [1]}, "aliases", "Not a valid"),
        ("verdict", {"rating": "mixed", "rationale": 0}, "rationale", "Not a valid string"),
        ("verdict", {"rating": "mixed", "rationale": ["a"]}, "rationale", "Not a valid string"),
        ("claim", {"restatement": 12}, "restatement", "Not a valid string"),
        ("claim", {"quote": 1.5}, "quote", "Not a valid string"),
        ("claim", {"submit": "yes"}, "submit", "Must be a valid boolean"),
        ("claim", {"submit": 1}, "submit", "Must be a valid boolean"),
        ("claim", {"start": "36"}, "start", "A valid integer is required"),
        ("claim", {"start": 36.0}, "start", "A valid integer is required"),
        ("claim", {"article": True}, "article", "A valid integer is required"),
        ("claim", {"speaker": "1"}, "speaker", "A valid integer is required"),
        ("edit", {"speaker": "1"}, "speaker", "Incorrect type"),
        ("edit", {"version": "1"}, "version", "A valid integer is required"),
        ("edit", {"note": False}, "note", "Not a valid string"),
        ("source", {"url": 7, "stance": "supports"}, "url", "Not a valid string"),
        ("reject", {"reason": 0}, "reason", "Not a valid string"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_not_converted(
    client_for: Clients,
    alice: User,
    morgan: User,
    desk: Desk,
    nothing_changes: None,
    write: str,
    body: dict[str, object],
    field: str,
    message: str,
) -> None:
    claim = {
        "article": desk.article.pk,
        "start": 36,
        "end": 45,
        "quote": "on Friday",
        "attribution": "author",
    }
    method, path, body = {
        "speaker": ("post", "/api/speakers/", body),
        "verdict": ("post", f"/api/claims/{desk.in_review.pk}/verdicts/", body),
        "claim": ("post", "/api/claims/", {**claim, **body}),
        "edit": ("patch", f"/api/claims/{desk.draft.pk}/", {"version": 1, **body}),
        "source": ("post", f"/api/claims/{desk.in_review.pk}/sources/", body),
        "reject": ("post", f"/api/claims/{desk.in_review.pk}/reject/", body),
    }[write]
    user = morgan if write == "reject" else alice
    response = getattr(client_for(user), method)(path, body)
    assert response.status_code == 400
    errors = response.json()[field]
    assert message in json.dumps(errors)


def test_query_parameters_are_still_read_from_their_text(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).get("/api/claims/", {"article": str(desk.article.pk)})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4


# Maximum lengths -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("write", "field", "limit"),
    [
        ("claim", "restatement", RESTATEMENT_MAX),
        ("claim", "note", NOTE_MAX),
        ("edit", "restatement", RESTATEMENT_MAX),
        ("edit", "note", NOTE_MAX),
        ("source", "excerpt", EXCERPT_MAX),
        ("verdict", "rationale", RATIONALE_MAX),
        ("reject", "reason", REASON_MAX),
        ("reopen", "reason", REASON_MAX),
    ],
)
def test_the_services_refuse_text_over_its_limit_naming_the_field(
    alice: User, morgan: User, desk: Desk, write: str, field: str, limit: int
) -> None:
    long, claim = "x" * (limit + 1), desk.in_review
    before = _counts()
    writes = {
        "claim": lambda: services.claim_create(
            user=alice,
            article=desk.article,
            start=36,
            end=45,
            quote="on Friday",
            attribution="author",
            **{field: long},
        ),
        "edit": lambda: services.claim_update(claim=desk.draft, user=alice, **{field: long}),
        "source": lambda: services.source_add(
            claim=claim, user=alice, url="https://example.org/", stance="supports", excerpt=long
        ),
        "verdict": lambda: services.verdict_give(
            claim=claim, user=morgan, rating="mixed", rationale=long
        ),
        "reject": lambda: services.claim_reject(claim=claim, user=morgan, reason=long),
        "reopen": lambda: services.claim_reopen(claim=desk.verified, user=morgan, reason=long),
    }
    with pytest.raises(ValidationError) as refused:
        writes[write]()
    assert refused.value.message_dict[field] == [
        f"The {field} is {limit + 1:,} characters long; it may have at most {limit:,}."
    ]
    assert _counts() == before


def test_text_at_its_limit_is_kept(alice: User, desk: Desk) -> None:
    claim = services.claim_update(
        claim=desk.draft, user=alice, restatement="y" * RESTATEMENT_MAX, note="z" * NOTE_MAX
    )
    assert len(claim.restatement) == RESTATEMENT_MAX


def test_an_article_text_over_its_limit_is_refused(morgan: User, db: None) -> None:
    with pytest.raises(ValidationError) as refused:
        services.article_create(user=morgan, text="a" * (ARTICLE_TEXT_MAX + 1))
    assert "at most 1,000,000" in refused.value.message_dict["text"][0]
    assert not Article.objects.exists()


def test_the_api_refuses_a_long_rationale_and_the_schema_says_how_long(
    client_for: Clients, alice: User, desk: Desk, nothing_changes: None
) -> None:
    client = client_for(alice)
    response = client.post(
        f"/api/claims/{desk.in_review.pk}/verdicts/",
        {"rating": "mixed", "rationale": "x" * (RATIONALE_MAX + 1)},
    )
    assert response.status_code == 400
    assert "10000" in response.json()["rationale"][0]
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schemas["VerdictInput"]["properties"]["rationale"]["maxLength"] == RATIONALE_MAX
    claim = schemas["ClaimCreateInput"]["properties"]
    assert claim["restatement"]["maxLength"] == RESTATEMENT_MAX
    assert claim["note"]["maxLength"] == NOTE_MAX
    assert schemas["SourceInput"]["properties"]["excerpt"]["maxLength"] == EXCERPT_MAX
    assert schemas["ReasonInput"]["properties"]["reason"]["maxLength"] == REASON_MAX
    assert schemas["ArticleCreateInput"]["properties"]["text"]["maxLength"] == ARTICLE_TEXT_MAX


def test_the_forms_carry_the_limits(alice: User, bob: User, morgan: User, desk: Desk) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get(f"/articles/{desk.article.pk}/").content.decode()
    client.force_login(bob)  # alice wrote the claim, so has no verdict form on it
    panel = client.get(f"/claims/{desk.in_review.pk}/").content.decode()
    for limit in (RESTATEMENT_MAX, NOTE_MAX):
        assert f'maxlength="{limit}"' in page
    for limit in (EXCERPT_MAX, RATIONALE_MAX):
        assert f'maxlength="{limit}"' in panel
    client.force_login(morgan)
    admin = client.get(f"/admin/annotations/claim/{desk.draft.pk}/change/").content.decode()
    assert f'maxlength="{RESTATEMENT_MAX}"' in admin
    assert f'maxlength="{NOTE_MAX}"' in admin


# Whole characters ------------------------------------------------------------------

WHOLE = json.loads((Path(__file__).parents[1] / "js" / "whole_characters.json").read_text())


@pytest.fixture
def graphemes(db: None) -> Article:
    return ArticleFactory(text=WHOLE["text"])


@pytest.mark.parametrize("case", WHOLE["cases"], ids=lambda case: case["name"])
def test_a_claim_starts_and_ends_on_whole_characters(
    client_for: Clients, alice: User, graphemes: Article, case: dict[str, object]
) -> None:
    start, end, whole = case["start"], case["end"], case["whole"]
    response = client_for(alice).post(
        "/api/claims/",
        {
            "article": graphemes.pk,
            "start": start,
            "end": end,
            "quote": graphemes.text[start:end],
            "attribution": "author",
        },
    )
    if whole is None:
        assert response.status_code == 201, response.json()
        return
    assert response.status_code == 400
    message = (
        f"The highlight {start}–{end} cuts a character in two; the nearest whole characters "
        f"are {whole[0]}–{whole[1]}."
    )
    errors = response.json()
    assert {field: errors[field] for field in ("start", "end") if field in errors} == {
        field: [message]
        for field, at, bound in (("start", start, whole[0]), ("end", end, whole[1]))
        if at != bound
    }
    assert not Claim.objects.exists()


def test_a_cue_starts_and_ends_on_whole_characters(alice: User, graphemes: Article) -> None:
    text = graphemes.text
    thumb = text.index("👍")
    claim_start = text.index("one gave")
    with pytest.raises(ValidationError) as refused:
        services.claim_create(
            user=alice,
            article=graphemes,
            start=claim_start,
            end=claim_start + 8,
            quote="one gave",
            attribution="author",
            cue_start=thumb,
            cue_end=thumb + 1,
        )
    assert refused.value.message_dict == {
        "cue_end": [
            f"The cue {thumb}–{thumb + 1} cuts a character in two; the nearest whole "
            f"characters are {thumb}–{thumb + 2}."
        ]
    }


def test_the_check_is_right_far_into_a_long_text(alice: User, db: None) -> None:
    """Far from the start the check reads a window of the text: flags still pair up right."""
    text = "word " * 3000 + "🇸🇾" * 20 + " Homṣ " + "🇱🇧" * 20
    article = ArticleFactory(text=text)
    flags = text.index("🇸🇾")
    for start, end, ok in [
        (flags + 10, flags + 12, True),
        (flags + 11, flags + 13, False),
        (text.index("🇱🇧") + 20, len(text), True),
        (text.index("🇱🇧") + 21, len(text), False),
    ]:
        try:
            services.claim_create(
                user=alice,
                article=article,
                start=start,
                end=end,
                quote=text[start:end],
                attribution="author",
            )
        except ValidationError:
            assert not ok, (start, end)
        else:
            assert ok, (start, end)


# Cursors ---------------------------------------------------------------------------


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "!!!!",
        "cD0x!",
        _cursor("p=abc"),
        _cursor("p=1&p=2"),
        _cursor("x=1"),
        _cursor("o=-1"),
        _cursor("r=yes"),
        _cursor("p"),
        "é",
    ],
)
def test_a_forged_cursor_gets_400_naming_cursor(
    client_for: Clients, alice: User, desk: Desk, cursor: str
) -> None:
    for path in ("/api/claims/", "/api/speakers/?search=s", "/api/articles/"):
        response = client_for(alice).get(path, {"cursor": cursor})
        assert response.status_code == 400, (path, cursor)
        assert list(response.json()) == ["cursor"]


def test_the_cursors_the_api_gives_are_taken(client_for: Clients, alice: User, desk: Desk) -> None:
    client = client_for(alice)
    page = client.get("/api/claims/", {"page_size": 1}).json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == 4
    back = client.get(client.get("/api/claims/", {"page_size": 3}).json()["next"]).json()
    assert client.get(back["previous"]).status_code == 200


# Odd paths under /api/ ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/claims%0A/",
        "/api/%0a",
        "/api/%0d",
        "/api/%0D%0A",
        "/api/claims/%0A",
        "/api/%00",
        "/api/claims/1%00/",
        "/api/export%0A/",
        "/api/export/%0A",
        "/api/%E2%80%A8",
        "/api/%ff",
        "/api/" + "a" * 5000,
        "/api/" + "a/" * 1000,
    ],
)
def test_every_odd_path_under_api_gets_a_json_404(alice: User, path: str) -> None:
    client = APIClient()
    client.force_login(alice)
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"].startswith("There is no API endpoint at /api/")
