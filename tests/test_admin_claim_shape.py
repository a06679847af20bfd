"""The moderators' desk shows the claim's fields as annotations.shapes declares them.

Read-only are the declared fields of the claim model that the moderator's form does not
edit; every declared field is laid out once on the change form.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from annotations import services
from annotations.admin.claims import ClaimAdmin
from annotations.admin.forms import CLAIM_EDITABLE, ClaimAdminForm
from annotations.models import Article, Claim
from annotations.shapes import CLAIM_FIELD_NAMES, CLAIM_MODEL_FIELDS

from .factories import make_claim_in_review

PHRASE = "some 2250 people"

# What the desk shows of a claim besides its fields: the quote in its text, and the
# version the moderator loaded (on the form of a claim they may edit).
DESK_ONLY = {"context", "expected_version"}


def _claim_admin() -> ClaimAdmin:
    return admin.site.get_model_admin(Claim)  # type: ignore[return-value]


def _laid_out(fieldsets: list) -> list[str]:
    return [
        name
        for _, options in fieldsets
        for line in options["fields"]
        for name in ((line,) if isinstance(line, str) else line)
    ]


def test_the_declared_model_fields_are_the_claims_own() -> None:
    own = {f.name for f in Claim._meta.get_fields() if f.concrete and not f.primary_key}
    assert set(CLAIM_MODEL_FIELDS) == own
    assert list(CLAIM_MODEL_FIELDS) == [name for name in CLAIM_FIELD_NAMES if name in own]


def test_the_read_only_fields_are_the_declared_ones_the_form_does_not_edit() -> None:
    context, *readonly = _claim_admin().readonly_fields
    assert context == "context"
    edited = set(ClaimAdminForm.base_fields) - {"expected_version"}
    assert edited == set(CLAIM_EDITABLE)
    assert set(readonly).isdisjoint(edited)
    assert set(readonly) | edited == set(CLAIM_MODEL_FIELDS)
    assert readonly == sorted(readonly, key=CLAIM_MODEL_FIELDS.index)
    # The highlight and the moderation are never edited here.
    assert {"start", "end", "quote", "status", "moderated_by"} <= set(readonly)


@pytest.fixture
def in_review(alice: User, article: Article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase=PHRASE)


@pytest.mark.parametrize("rejected", [False, True])
def test_every_declared_field_is_laid_out_once(
    morgan: User, in_review: Claim, rejected: bool
) -> None:
    claim = in_review
    if rejected:
        claim = services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")
    request = RequestFactory().get("/")
    request.user = morgan
    laid_out = _laid_out(_claim_admin().get_fieldsets(request, claim))
    assert len(laid_out) == len(set(laid_out))
    # A closed claim is not edited: no version to send back.
    desk_only = DESK_ONLY - {"expected_version"} if rejected else DESK_ONLY
    assert set(laid_out) == set(CLAIM_MODEL_FIELDS) | desk_only


def test_the_change_form_edits_only_the_editable_fields(
    client: Client, morgan: User, in_review: Claim
) -> None:
    claim = in_review
    client.force_login(morgan)
    page = client.get(reverse("admin:annotations_claim_change", args=[claim.pk])).content.decode()
    for name in CLAIM_MODEL_FIELDS:
        assert f"field-{name}" in page, name
        editable = f'name="{name}"' in page
        assert editable == (name in CLAIM_EDITABLE), name


def test_the_list_shows_declared_fields() -> None:
    claim_admin = _claim_admin()
    # The list's own columns (the quote in context, the article's title...) are methods.
    plain = [name for name in claim_admin.list_display if not hasattr(claim_admin, name)]
    assert plain and set(plain) <= set(CLAIM_MODEL_FIELDS)
    filters = [name for name in claim_admin.list_filter if isinstance(name, str)]
    assert set(filters) <= set(CLAIM_MODEL_FIELDS)
