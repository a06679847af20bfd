"""How the API writes JSON and reads what it is sent, on its fast paths: the same as DRF's own."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from annotations.api.renderers import OrjsonRenderer
from annotations.api.serializers import ClaimCreateInput

from .conftest import Desk

Clients = Callable[[User], APIClient]

ANSWERS = [
    {"results": [{"id": 1, "quote": "café 🇸🇾 “said”", "end": None, "ok": True}], "next": None},
    {"note": "a line\u2028and a paragraph\u2029separator, which JavaScript strings may not hold"},
    [{"nested": {"deeper": [1, 2**62, -3, "", "Ḥimṣ"]}}],
    {"detail": "Not found.", "code": 404},
]


@pytest.mark.parametrize("data", ANSWERS)
def test_it_writes_the_bytes_drfs_renderer_writes(data: object) -> None:
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_it_escapes_the_javascript_line_separators() -> None:
    assert OrjsonRenderer().render({"x": "\u2028\u2029"}) == b'{"x":"\\u2028\\u2029"}'


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        ({"detail": gettext_lazy("Not found.")}, None),  # a lazy translation
        ({"ids": {3, 4}}, None),  # a set, which DRF's encoder writes as a list
        ({"at": datetime(2014, 2, 7, 9, 30, tzinfo=UTC)}, None),  # DRF writes "Z"
        ({"id": 7}, "application/json; indent=2"),  # indented on request
    ],
)
def test_it_leaves_to_drf_what_only_drf_writes(data: object, media_type: str | None) -> None:
    assert OrjsonRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)


def test_the_api_answers_with_it(client_for: Clients, alice: User, desk: Desk) -> None:
    response = client_for(alice).get(f"/api/claims/{desk.draft.pk}/")
    assert isinstance(response.accepted_renderer, OrjsonRenderer)
    assert response.content == JSONRenderer().render(response.json())


# Reading the input ----------------------------------------------------------------


def test_claim_inputs_do_not_share_their_fields(desk: Desk) -> None:
    bad = ClaimCreateInput(data={"article": "first", "start": -1})
    good = ClaimCreateInput(
        data={
            "article": desk.article.pk,
            "start": 0,
            "end": 2,
            "quote": "🇸",
            "attribution": "author",
        }
    )
    assert not bad.is_valid()
    assert good.is_valid(), good.errors
    assert set(bad.errors) >= {"article", "start", "end", "quote", "attribution"}
    assert bad.fields["start"] is not good.fields["start"]
    assert good.fields["start"].parent is good
    # The declared fields stay unbound: each serializer binds its own copies.
    assert ClaimCreateInput.declared["start"].parent is None


# The token -------------------------------------------------------------------------


def test_a_token_request_reads_the_token_with_its_user_in_one_query(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    client = client_for(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/").status_code == 200
    (query,) = queries
    sql = query["sql"].replace('"', "")
    assert "authtoken_token" in sql
    assert "auth_user" in sql
