"""claim_update: an open claim changes under the rules it was made by, one version at a time."""

import pytest
from django.core.exceptions import ValidationError

from annotations import services
from annotations.models import Claim

from .factories import ARTICLE_TEXT, ArticleFactory, make_claim, make_claim_in_review

PHRASE = "some 2250 people"


@pytest.fixture
def claim(alice, article) -> Claim:
    return make_claim(user=alice, article=article, phrase=PHRASE, restatement="2250 people left.")


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def test_it_changes_the_restatement_and_bumps_the_version(alice, claim):
    services.claim_update(claim=claim, user=alice, restatement="  About 2250 people left Homs. ")

    claim.refresh_from_db()
    assert claim.restatement == "About 2250 people left Homs."
    assert claim.version == 2


def test_it_bumps_the_version_once_for_each_change(alice, claim):
    services.claim_update(claim=claim, user=alice, note="first")
    services.claim_update(claim=claim, user=alice, note="second")

    claim.refresh_from_db()
    assert claim.version == 3
    assert claim.note == "second"


def test_it_returns_the_updated_claim(alice, claim):
    updated = services.claim_update(claim=claim, user=alice, kind=Claim.Kind.QUANTITY)

    assert updated.kind == Claim.Kind.QUANTITY
    assert updated.version == 2


def test_it_keeps_the_version_when_nothing_changes(alice, claim):
    services.claim_update(
        claim=claim,
        user=alice,
        restatement=" 2250 people left. ",
        note="   ",
        quote=PHRASE,
    )

    claim.refresh_from_db()
    assert claim.version == 1
    assert claim.history.count() == 1  # no history record for a no-op


def test_it_moves_the_span_and_refreshes_prefix_and_suffix(alice, claim):
    phrase = "mostly fighters"
    start = ARTICLE_TEXT.index(phrase)

    services.claim_update(
        claim=claim, user=alice, start=start, end=start + len(phrase), quote=phrase
    )

    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.quote) == (start, start + len(phrase), phrase)
    assert claim.prefix == ARTICLE_TEXT[start - 32 : start]
    assert claim.suffix == ARTICLE_TEXT[start + len(phrase) : start + len(phrase) + 32]
    assert claim.version == 2


def test_it_moves_the_span_in_code_points_past_emoji(alice):
    text = "The 👨‍👩‍👧 family and the 🇸🇾 flag: some 2250 people, mostly fighters, left."
    article = ArticleFactory(text=text)
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    start = text.index("mostly fighters")

    services.claim_update(
        claim=claim, user=alice, start=start, end=start + 15, quote="mostly fighters"
    )

    claim.refresh_from_db()
    assert claim.prefix == text[max(0, start - 32) : start]
    assert "🇸🇾" in claim.prefix


def test_it_refuses_a_moved_span_whose_quote_does_not_match(alice, claim):
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, start=claim.start + 5, end=claim.end + 5)

    assert "“2250 people, mos”" in messages(exc, "quote")
    claim.refresh_from_db()
    assert claim.start == ARTICLE_TEXT.index(PHRASE)
    assert claim.version == 1


def test_it_refuses_a_new_quote_that_does_not_match_the_span(alice, claim):
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, quote="some 3000 people")

    assert "“some 2250 people”" in messages(exc, "quote")
    claim.refresh_from_db()
    assert claim.quote == PHRASE


def test_it_refuses_a_moved_end_beyond_the_text(alice, claim):
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, end=len(ARTICLE_TEXT) + 1)

    assert f"{len(ARTICLE_TEXT)} characters" in messages(exc, "end")


def test_it_refuses_an_end_moved_before_the_start(alice, claim):
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, end=claim.start)

    assert "must be greater than the start offset" in messages(exc, "end")


def test_it_checks_a_prefix_sent_with_a_moved_span(alice, claim):
    phrase = "mostly fighters"
    start = ARTICLE_TEXT.index(phrase)

    with pytest.raises(ValidationError) as exc:
        services.claim_update(
            claim=claim,
            user=alice,
            start=start,
            end=start + len(phrase),
            quote=phrase,
            prefix="all civilians, ",
        )

    assert "people, " in messages(exc, "prefix")


def test_it_refuses_an_attribution_to_a_speaker_without_one(alice, claim):
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, attribution=Claim.Attribution.DIRECT_QUOTE)

    assert "Say who makes the claim" in messages(exc, "speaker")


def test_it_attributes_the_claim_to_a_speaker(alice, claim, opposition):
    services.claim_update(
        claim=claim,
        user=alice,
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )

    claim.refresh_from_db()
    assert claim.speaker == opposition
    assert claim.attribution == Claim.Attribution.REPORTED_SPEECH


def test_it_refuses_a_kind_not_in_the_choices(alice, claim):
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, kind="gossip")

    assert "“gossip”" in messages(exc, "kind")


def test_it_refreshes_the_cue_text_when_the_cue_moves(alice, article, regime):
    said = ARTICLE_TEXT.index("said")
    claim = make_claim(
        user=alice,
        article=article,
        phrase='an "arrangement"',
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue_start=said,
        cue_end=said + 4,
    )
    see = ARTICLE_TEXT.index("will see")

    services.claim_update(claim=claim, user=alice, cue_start=see, cue_end=see + 8)

    claim.refresh_from_db()
    assert claim.cue == "will see"


def test_it_refuses_a_new_cue_that_does_not_match_its_offsets(alice, article, regime):
    said = ARTICLE_TEXT.index("said")
    claim = make_claim(
        user=alice,
        article=article,
        phrase='an "arrangement"',
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue_start=said,
        cue_end=said + 4,
    )

    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, cue="claimed")

    assert "“said”" in messages(exc, "cue")


def test_it_refuses_to_remove_the_restatement_of_a_claim_in_review(alice, article):
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)

    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim=claim, user=alice, restatement="  ")

    assert "own words" in messages(exc, "restatement")
    claim.refresh_from_db()
    assert claim.restatement


def test_it_lets_a_draft_lose_its_restatement(alice, claim):
    services.claim_update(claim=claim, user=alice, restatement="")

    claim.refresh_from_db()
    assert claim.restatement == ""


def test_it_refuses_a_stale_expected_version_and_changes_nothing(alice, bob, morgan, claim):
    loaded_version = claim.version
    services.claim_update(claim=claim, user=morgan, note="Checked the UN figure.")

    with pytest.raises(services.StaleVersion) as exc:
        services.claim_update(
            claim=claim,
            user=alice,
            expected_version=loaded_version,
            restatement="Overwritten.",
        )

    assert exc.value.current_version == 2
    assert "version 2" in str(exc.value)
    claim.refresh_from_db()
    assert claim.restatement == "2250 people left."
    assert claim.note == "Checked the UN figure."
    assert claim.version == 2


def test_it_accepts_the_current_expected_version(alice, claim):
    services.claim_update(claim=claim, user=alice, expected_version=1, note="fresh")

    claim.refresh_from_db()
    assert claim.note == "fresh"
    assert claim.version == 2


@pytest.mark.parametrize(
    "field", ["status", "published_verdict", "created_by", "version", "article"]
)
def test_it_refuses_fields_outside_the_claims_wording(alice, claim, field):
    with pytest.raises(TypeError, match=field):
        services.claim_update(claim=claim, user=alice, **{field: None})

    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT
    assert claim.version == 1


def test_it_records_the_editor_in_the_history(alice, morgan, claim):
    services.claim_update(claim=claim, user=morgan, kind=Claim.Kind.QUANTITY)

    latest = claim.history.first()
    assert latest.history_user == morgan
    assert latest.kind == Claim.Kind.QUANTITY


# Checking without writing ------------------------------------------------------


def test_check_claim_update_returns_the_changes_and_writes_nothing(alice, claim):
    changes = services.check_claim_update(
        claim=claim, user=alice, restatement=" 2250 people left. ", kind=Claim.Kind.QUANTITY
    )

    assert changes == {"kind": Claim.Kind.QUANTITY}
    claim.refresh_from_db()
    assert (claim.kind, claim.version) == (Claim.Kind.OTHER, 1)


def test_check_claim_update_refuses_an_old_version(alice, claim):
    services.claim_update(claim=claim, user=alice, note="newer")
    claim.refresh_from_db()

    with pytest.raises(services.StaleVersion):
        services.check_claim_update(claim=claim, user=alice, expected_version=1, note="older")


def test_check_claim_update_takes_the_cue_from_its_span_unless_the_cue_is_edited(
    alice, article, regime
):
    said = ARTICLE_TEXT.index(" said ") + 1
    claim = make_claim(
        user=alice,
        article=article,
        phrase="regime representatives",
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue_start=said,
        cue_end=said + 4,
    )
    see = ARTICLE_TEXT.index("will see")

    moved = services.check_claim_update(claim=claim, user=alice, cue_start=see, cue_end=see + 8)
    assert moved["cue"] == "will see"
    with pytest.raises(ValidationError) as exc:
        services.check_claim_update(claim=claim, user=alice, cue="claimed")
    assert "“said”" in messages(exc, "cue")
