"""claim_create: a highlight becomes a claim only if its span, quote, cue and attribution hold."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Claim

from .factories import ARTICLE_TEXT, ArticleFactory

PHRASE = "some 2250 people"
# Before the claim: a flag (2 code points), a thumbs-up with a skin tone (2), a
# family joined by zero-width joiners (5), a precomposed é and a decomposed e + ◌́.
EMOJI_TEXT = (
    "Protesters waved the 🇸🇾 flag, 👍🏽 said the crowd, and the 👨‍👩‍👧 family at the "
    "caf\u00e9 in Montre\u0301al agreed: some 2250 people left the city, the monitor said, "
    "and more would follow before the winter."
)


def create(user, article, phrase: str, **fields) -> Claim:
    """Create a claim on the phrase, at its offsets in the text unless told otherwise."""
    if "start" not in fields:
        fields["start"] = article.text.index(phrase)
        fields["end"] = fields["start"] + len(phrase)
    fields.setdefault("attribution", Claim.Attribution.AUTHOR)
    return services.claim_create(user=user, article=article, quote=phrase, **fields)


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def utf16_offset(text: str, index: int) -> int:
    """Return the offset a JavaScript string would give for a Python index."""
    return len(text[:index].encode("utf-16-le")) // 2


def test_it_creates_a_draft_at_the_given_offsets(alice, article):
    claim = create(alice, article, PHRASE)

    claim.refresh_from_db()
    assert claim.start == ARTICLE_TEXT.index(PHRASE)
    assert claim.end == claim.start + len(PHRASE)
    assert claim.quote == PHRASE
    assert claim.status == Claim.Status.DRAFT
    assert claim.created_by == alice
    assert claim.version == 1


def test_it_records_the_author_in_the_history(alice, article):
    claim = create(alice, article, PHRASE)

    assert claim.history.get().history_user == alice


def test_it_strips_the_restatement_and_note(alice, article):
    claim = create(alice, article, PHRASE, restatement="  2250 left Homs.\n", note=" check ")

    claim.refresh_from_db()
    assert claim.restatement == "2250 left Homs."
    assert claim.note == "check"


def test_it_stores_the_32_characters_around_the_quote(alice, article):
    claim = create(alice, article, PHRASE)

    start = ARTICLE_TEXT.index(PHRASE)
    end = start + len(PHRASE)
    claim.refresh_from_db()
    assert claim.prefix == ARTICLE_TEXT[start - 32 : start]
    assert claim.suffix == ARTICLE_TEXT[end : end + 32]
    assert len(claim.prefix) == len(claim.suffix) == 32


def test_it_stores_less_prefix_at_the_start_of_the_text(alice, article):
    claim = create(alice, article, "The deal")

    assert claim.prefix == ""
    assert claim.suffix == ARTICLE_TEXT[8:40]


def test_it_stores_a_short_prefix_near_the_start_of_the_text(alice, article):
    claim = create(alice, article, "over the Old City")

    assert claim.prefix == "The deal "


def test_it_stores_less_suffix_at_the_end_of_the_text(alice, article):
    claim = create(alice, article, "rather than a deal.")

    assert claim.suffix == ""
    assert claim.prefix == ARTICLE_TEXT[-19 - 32 : -19]


def test_it_accepts_a_prefix_and_suffix_that_match_the_text(alice, article):
    claim = create(alice, article, PHRASE, prefix="will see ", suffix=", mostly")

    start = ARTICLE_TEXT.index(PHRASE)
    assert claim.prefix == ARTICLE_TEXT[start - 32 : start]  # the full context, not what was sent
    assert claim.suffix.startswith(", mostly fighters")


def test_it_accepts_more_context_than_it_keeps_when_the_nearest_part_matches(alice, article):
    start = ARTICLE_TEXT.index(PHRASE)
    long_prefix = "Wrong far-away words. " + ARTICLE_TEXT[start - 32 : start]
    long_suffix = ARTICLE_TEXT[start + len(PHRASE) :][:32] + " and more words that differ"

    claim = create(alice, article, PHRASE, prefix=long_prefix, suffix=long_suffix)

    assert claim.prefix == ARTICLE_TEXT[start - 32 : start]


def test_it_refuses_a_prefix_that_does_not_match_the_text(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, prefix="would see ")

    assert "will see " in messages(exc, "prefix")
    assert "would see " in messages(exc, "prefix")
    assert not Claim.objects.exists()


def test_it_refuses_a_suffix_that_does_not_match_the_text(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, suffix=", all civilians")

    assert ", mostly fighters" in messages(exc, "suffix")
    assert not Claim.objects.exists()


def test_it_refuses_an_end_beyond_the_text_and_names_its_length(alice, article):
    length = len(ARTICLE_TEXT)

    with pytest.raises(ValidationError) as exc:
        create(alice, article, "a deal.", start=length - 7, end=length + 1)

    assert f"{length} characters" in messages(exc, "end")
    assert not Claim.objects.exists()


def test_it_refuses_a_span_lying_wholly_after_the_text(alice, article):
    length = len(ARTICLE_TEXT)

    with pytest.raises(ValidationError) as exc:
        create(alice, article, "deal", start=length + 10, end=length + 14)

    assert "beyond the article's text" in messages(exc, "end")


@pytest.mark.parametrize("end", [2**31, 2**63, 10**30], ids=["2^31", "2^63", "10^30"])
def test_it_refuses_an_absurdly_large_end_as_beyond_the_text(alice, article, end):
    # Past PostgreSQL's integer (and SQLite's), an offset must not reach the database raw.
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, start=ARTICLE_TEXT.index(PHRASE), end=end)

    assert f"{len(ARTICLE_TEXT)} characters" in messages(exc, "end")


def test_it_refuses_an_absurdly_large_span_as_beyond_the_text(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, "deal", start=10**12, end=10**12 + 4)

    assert f"{len(ARTICLE_TEXT)} characters" in messages(exc, "end")


def test_it_accepts_a_span_ending_exactly_at_the_end_of_the_text(alice, article):
    claim = create(alice, article, "deal.")

    assert claim.end == len(ARTICLE_TEXT)


def test_it_refuses_an_end_before_the_start(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, start=90, end=80)

    assert "must be greater than the start offset (90)" in messages(exc, "end")


def test_it_refuses_an_empty_span(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, start=84, end=84)

    assert "(84) must be greater than the start offset (84)" in messages(exc, "end")


def test_it_refuses_a_negative_start(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, "The", start=-1, end=3)

    assert "0 or more, not -1" in messages(exc, "start")


def test_it_refuses_a_quote_that_does_not_match_the_text(alice, article):
    start = ARTICLE_TEXT.index(PHRASE)

    with pytest.raises(ValidationError) as exc:
        create(alice, article, "some 3000 people", start=start, end=start + len(PHRASE))

    message = messages(exc, "quote")
    assert "“some 2250 people”" in message  # what the text says
    assert "“some 3000 people”" in message  # what was sent
    assert not Claim.objects.exists()


def test_it_refuses_a_quote_one_character_off_its_offsets(alice, article):
    start = ARTICLE_TEXT.index(PHRASE) + 1

    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, start=start, end=start + len(PHRASE))

    assert "“ome 2250 people,”" in messages(exc, "quote")


def test_it_refuses_a_quote_that_is_only_white_space(alice, article):
    newline = ARTICLE_TEXT.index("\n")

    with pytest.raises(ValidationError) as exc:
        create(alice, article, "\n", start=newline, end=newline + 1)

    assert "empty" in messages(exc, "quote")
    assert not Claim.objects.exists()


def test_it_allows_overlapping_and_nested_claims(alice, bob, article):
    outer = create(alice, article, "some 2250 people, mostly fighters")
    nested = create(bob, article, "2250 people")
    overlapping = create(alice, article, "mostly fighters, evacuate")

    assert nested.start > outer.start and nested.end < outer.end
    assert outer.start < overlapping.start < outer.end < overlapping.end
    assert Claim.objects.filter(article=article).count() == 3


def test_it_counts_offsets_in_code_points_past_emoji_and_accents(alice):
    article = ArticleFactory(text=EMOJI_TEXT)
    start = EMOJI_TEXT.index(PHRASE)

    claim = create(alice, article, PHRASE)

    claim.refresh_from_db()
    assert (claim.start, claim.end) == (start, start + len(PHRASE))
    assert claim.quote == PHRASE
    assert claim.prefix == EMOJI_TEXT[start - 32 : start]
    assert "Montre\u0301al" in claim.prefix  # the decomposed accent is kept, not normalised


def test_it_refuses_offsets_counted_in_utf16_units(alice):
    article = ArticleFactory(text=EMOJI_TEXT)
    start = EMOJI_TEXT.index(PHRASE)
    js_start = utf16_offset(EMOJI_TEXT, start)
    # The flag, the thumbs-up and the family's three people lie outside the BMP.
    assert js_start - start == 7

    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, start=js_start, end=js_start + len(PHRASE))

    assert f"“{EMOJI_TEXT[js_start : js_start + len(PHRASE)]}”" in messages(exc, "quote")
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "phrase",
    ["🇸🇾", "👍🏽", "👨‍👩‍👧", "caf\u00e9", "Montre\u0301al"],
    ids=["flag", "skin-tone", "zwj-family", "precomposed", "decomposed"],
)
def test_it_highlights_emoji_and_accented_words_themselves(alice, phrase):
    article = ArticleFactory(text=EMOJI_TEXT)

    claim = create(alice, article, phrase)

    claim.refresh_from_db()
    assert claim.quote == phrase
    assert claim.end - claim.start == len(phrase)
    assert claim.prefix + claim.quote + claim.suffix in EMOJI_TEXT


def test_it_refuses_a_quote_in_another_unicode_normal_form(alice):
    article = ArticleFactory(text=EMOJI_TEXT)
    start = EMOJI_TEXT.index("Montre\u0301al")

    with pytest.raises(ValidationError) as exc:
        # NFC "Montréal" is one code point shorter than the text's decomposed form.
        create(alice, article, "Montr\u00e9al", start=start, end=start + 8)

    assert "quote" in exc.value.message_dict


def test_it_accepts_a_typed_cue_without_offsets(alice, article, regime):
    claim = create(
        alice,
        article,
        'an "arrangement"',
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue="  said ",
    )

    claim.refresh_from_db()
    assert claim.cue == "said"
    assert claim.cue_start is None and claim.cue_end is None


def test_it_fills_the_cue_text_from_its_offsets(alice, article, regime):
    cue_start = ARTICLE_TEXT.index("said")

    claim = create(
        alice,
        article,
        'an "arrangement"',
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue_start=cue_start,
        cue_end=cue_start + 4,
    )

    claim.refresh_from_db()
    assert claim.cue == "said"
    assert (claim.cue_start, claim.cue_end) == (cue_start, cue_start + 4)


def test_it_fills_the_cue_text_in_code_points_past_emoji(alice, regime):
    article = ArticleFactory(text=EMOJI_TEXT)
    cue_start = EMOJI_TEXT.index("said the crowd")

    claim = create(
        alice,
        article,
        PHRASE,
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue_start=cue_start,
        cue_end=cue_start + 4,
    )

    assert claim.cue == "said"


def test_it_accepts_a_typed_cue_that_matches_its_offsets(alice, article, regime):
    cue_start = ARTICLE_TEXT.index("said")

    claim = create(
        alice,
        article,
        'an "arrangement"',
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue="said",
        cue_start=cue_start,
        cue_end=cue_start + 4,
    )

    assert claim.cue == "said"


def test_it_refuses_a_cue_that_does_not_match_its_offsets(alice, article, regime):
    cue_start = ARTICLE_TEXT.index("said")

    with pytest.raises(ValidationError) as exc:
        create(
            alice,
            article,
            'an "arrangement"',
            speaker=regime,
            attribution=Claim.Attribution.REPORTED_SPEECH,
            cue="claimed",
            cue_start=cue_start,
            cue_end=cue_start + 4,
        )

    message = messages(exc, "cue")
    assert "“said”" in message and "“claimed”" in message
    assert not Claim.objects.exists()


def test_it_refuses_a_cue_beyond_the_text(alice, article, regime):
    length = len(ARTICLE_TEXT)

    with pytest.raises(ValidationError) as exc:
        create(
            alice,
            article,
            PHRASE,
            speaker=regime,
            attribution=Claim.Attribution.REPORTED_SPEECH,
            cue_start=length - 2,
            cue_end=length + 3,
        )

    assert f"{length} characters" in messages(exc, "cue_end")


def test_it_refuses_an_absurdly_large_cue_span_as_beyond_the_text(alice, article, regime):
    with pytest.raises(ValidationError) as exc:
        create(
            alice,
            article,
            PHRASE,
            speaker=regime,
            attribution=Claim.Attribution.REPORTED_SPEECH,
            cue_start=2**31,
            cue_end=2**31 + 4,
        )

    assert f"{len(ARTICLE_TEXT)} characters" in messages(exc, "cue_end")


@pytest.mark.parametrize(
    ("cue_start", "cue_end", "missing"),
    [(112, None, "cue_end"), (None, 116, "cue_start")],
    ids=["start-only", "end-only"],
)
def test_it_refuses_a_cue_span_with_only_one_end(
    alice, article, regime, cue_start, cue_end, missing
):
    with pytest.raises(ValidationError) as exc:
        create(
            alice,
            article,
            PHRASE,
            speaker=regime,
            attribution=Claim.Attribution.REPORTED_SPEECH,
            cue_start=cue_start,
            cue_end=cue_end,
        )

    assert "both ends of the cue's span" in messages(exc, missing)
    assert not Claim.objects.exists()


def test_it_refuses_an_empty_cue_span(alice, article, regime):
    with pytest.raises(ValidationError) as exc:
        create(
            alice,
            article,
            PHRASE,
            speaker=regime,
            attribution=Claim.Attribution.REPORTED_SPEECH,
            cue_start=10,
            cue_end=10,
        )

    assert "empty or negative" in messages(exc, "cue_end")


def test_it_refuses_a_kind_not_in_the_choices(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, kind="rumour")

    message = messages(exc, "kind")
    assert "“rumour”" in message
    assert "quantity (Quantity)" in message  # it lists what is allowed


def test_it_refuses_an_attribution_not_in_the_choices(alice, article, opposition):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, speaker=opposition, attribution="hearsay")

    assert "“hearsay”" in messages(exc, "attribution")


@pytest.mark.parametrize(
    "attribution", [Claim.Attribution.DIRECT_QUOTE, Claim.Attribution.REPORTED_SPEECH]
)
def test_it_requires_a_speaker_unless_the_article_speaks(alice, article, attribution):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, attribution=attribution)

    assert "Say who makes the claim" in messages(exc, "speaker")


def test_it_accepts_no_speaker_for_the_articles_own_voice(alice, article):
    claim = create(alice, article, PHRASE, attribution=Claim.Attribution.AUTHOR)

    assert claim.speaker is None


def test_it_keeps_the_speaker_and_attribution(alice, article, opposition):
    claim = create(
        alice,
        article,
        PHRASE,
        speaker=opposition,
        kind=Claim.Kind.QUANTITY,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )

    claim.refresh_from_db()
    assert claim.speaker == opposition
    assert claim.kind == Claim.Kind.QUANTITY
    assert claim.attribution == Claim.Attribution.REPORTED_SPEECH


def test_it_reports_every_bad_field_at_once(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, "  ", kind="rumour", attribution="hearsay", start=-3, end=-5)

    fields = set(exc.value.message_dict)
    assert {"kind", "attribution", "speaker", "start", "end", "quote"} <= fields


def test_it_submits_straight_to_review_with_a_restatement(alice, article):
    claim = create(alice, article, PHRASE, restatement="About 2250 people left.", submit=True)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_it_refuses_to_submit_without_a_restatement(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article, PHRASE, restatement="   ", submit=True)

    assert "own words" in messages(exc, "restatement")
    assert not Claim.objects.exists()


def test_it_keeps_a_draft_without_a_restatement(alice, article):
    claim = create(alice, article, PHRASE)

    assert claim.restatement == ""
    assert claim.status == Claim.Status.DRAFT


# Ids instead of rows, as the API passes them -----------------------------------------


def test_it_takes_the_article_and_speaker_by_id(alice, article, opposition):
    start = ARTICLE_TEXT.index(PHRASE)
    claim = create(
        alice,
        article.pk,
        PHRASE,
        speaker=opposition.pk,
        attribution="reported",
        start=start,
        end=start + len(PHRASE),
    )

    claim.refresh_from_db()
    assert (claim.article, claim.speaker, claim.quote) == (article, opposition, PHRASE)
    assert claim.history.get().history_user == alice


def test_it_gives_back_the_speaker_it_read_with_the_text(alice, article, opposition):
    start = ARTICLE_TEXT.index(PHRASE)
    with CaptureQueriesContext(connection) as queries:
        claim = services.claim_create(
            user=alice,
            article=article.pk,
            start=start,
            end=start + len(PHRASE),
            quote=PHRASE,
            speaker=opposition.pk,
            attribution="reported",
        )
        assert claim.speaker.name == "Opposition sources"

    speaker_reads = [q["sql"] for q in queries if "annotations_speaker" in q["sql"]]
    assert len(speaker_reads) == 1
    assert "SUBSTR" in speaker_reads[0]  # the same query as the quote's slice


def test_it_names_a_speaker_id_that_names_no_speaker(alice, article):
    with pytest.raises(ValidationError) as exc:
        create(alice, article.pk, "deal", speaker=999_999, attribution="reported", start=4, end=8)

    assert messages(exc, "speaker") == "There is no speaker 999999."
    assert not Claim.objects.exists()


def test_it_names_an_article_id_that_names_no_article(alice, db):
    with pytest.raises(ValidationError) as exc:
        create(alice, 999_999, "deal", start=4, end=8)

    assert messages(exc, "article") == "There is no article 999999."
