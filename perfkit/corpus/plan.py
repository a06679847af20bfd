"""The corpus's plan: articles, speakers and claims drawn from a seed, with no database."""

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from annotations.models import (
    CONTEXT_CHARS,
    Attribution,
    ClaimKind,
    Rating,
    SeedSide,
    SpeakerKind,
    Stance,
    Status,
)


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


WORDS = _split(
    "the a of in to and on for with by at from after before during under over near since "
    "about against between city old quarter siege deal ceasefire convoy evacuation fighters "
    "civilians families people hundreds thousands dozens some most government forces rebels "
    "opposition army ministry council governor negotiators monitors observers agency "
    "officials residents witnesses buses trucks aid food medicine water fuel shelter "
    "hospital road bridge checkpoint district province border market mosque church school "
    "square street neighbourhood village camp prison left arrived entered crossed reached "
    "returned fled stayed waited agreed refused rejected accepted confirmed denied reported "
    "estimated counted recorded released detained wounded killed missing injured first "
    "second third last next early late new former local central northern southern eastern "
    "western total partial fragile day days week weeks month months year morning evening "
    "night Monday Tuesday Wednesday Thursday Friday Saturday Sunday May June 2012 2014 2250 "
    "1,900 300 40 12 three seven ten half "
    # Accented letters, precomposed and with a combining accent (two code points).
    "café émigré naïve façade Zürich São Łódź Ağa Şam Ḥimṣ réfugiés Müller Ångström crème "
    "Bāb Amr \u1e24oms cafe\u0301 "
    # Other scripts, and emoji of one code point, of two (a flag, a skin tone), and with a
    # variation selector.
    "حمص دمشق Ελλάδα Москва 😀 🇸🇾 👍🏽 🕊️ 📷"
)
# The words that attribute a claim to its speaker; the text uses those of one word.
CUES = ("said", "told", "according to", "claimed", "added", "warned", "announced", "insisted")
ONE_WORD_CUES = tuple(cue for cue in CUES if " " not in cue)

GIVEN_NAMES = _split(
    "Abu Amira Bashar Chloé Dmitri Élodie Farid Gülsen Hadi Inès Jamal Karim Leïla Maher "
    "Nour Omar Rania Samir Talal Yara Zoë Łukasz Søren Björn"
)
FAMILY_NAMES = _split(
    "al-Homsi Barazi Çelik Darwish el-Khatib Fayyad Ghanem Haddad Ibrahim Jaber Kassem "
    "Laham Mansour Nasser Ortega Petrović Qasim Rahal Saleh Tlass Müller Nørgaard Šimić "
    "Zaher"
)
ORGANISATIONS = _split(
    "Observatory Council Ministry Committee Agency Front Brigade Union Network Office "
    "Mission Crescent"
)
DOCUMENTS = ("Report", "Statement", "Communiqué", "Bulletin", "Memorandum", "Dossier")
PUBLISHERS = ("UN OCHA", "Reuters", "AFP", "SANA", "SOHR", "Le Monde", "Al Jazeera", "ICRC", "")
DOMAINS = ("example.org", "news.example.com", "reliefweb.example.net", "données.example.fr")
OUTLETS = ("Wire", "Agence", "Daily Ḥimṣ", "The Observer", "")

REVIEWERS = 8
MODERATORS = 2
# Timestamps the corpus sets itself (not auto_now ones) start here, so they too repeat.
EPOCH = datetime(2014, 5, 4, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class VerdictPlan:
    reviewer: int  # index into the corpus's reviewers
    rating: str
    rationale: str


@dataclass(frozen=True)
class SourcePlan:
    url: str
    stance: str
    added_by: int  # index into the reviewers
    title: str = ""
    publisher: str = ""
    published_on: date | None = None
    excerpt: str = ""


@dataclass(frozen=True)
class ClaimPlan:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    kind: str
    attribution: str
    speaker: int | None  # index into the corpus's speakers
    cue: str
    cue_start: int | None
    cue_end: int | None
    restatement: str
    note: str
    status: str
    version: int
    author: int  # index into the reviewers
    rejection_reason: str
    # The first one is the published verdict when the claim is verified.
    verdicts: tuple[VerdictPlan, ...]
    sources: tuple[SourcePlan, ...]


@dataclass(frozen=True)
class ArticlePlan:
    number: int
    title: str
    outlet: str
    byline: str
    url: str
    published_on: date | None
    language: str
    text: str
    claims: tuple[ClaimPlan, ...]


@dataclass(frozen=True)
class SpeakerPlan:
    name: str
    kind: str
    side: str
    role: str
    reference_url: str
    aliases: tuple[str, ...]


def rng_for(seed: int, *what: object) -> random.Random:
    # A string seed is hashed with SHA-512 by random.Random: stable across runs and
    # platforms, unlike hash(), and independent for each article.
    # Not for secrets (S311): a reproducible corpus is the point.
    return random.Random(":".join(["factcheck-bench", str(seed), *map(str, what)]))  # noqa: S311


def article_text(rng: random.Random, number: int, words: int) -> tuple[str, list[tuple[int, int]]]:
    """Return a text of ``words`` words and each word's (start, end), in code points.

    Sentences of 6 to 24 words, some with a quotation in typographic quotes,
    two to six sentences a paragraph. The dateline carries the article's
    number, so no two texts are the same (texts are unique by SHA-256).
    """
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0

    def put(piece: str) -> None:
        nonlocal position
        parts.append(piece)
        position += len(piece)

    def put_word(word: str) -> None:
        spans.append((position, position + len(word)))
        put(word)

    put(f"ḤOMS, dispatch {number} — ")
    sentence_left = rng.randint(6, 24)
    paragraph_left = rng.randint(2, 6)
    capital = True
    quoting = False
    for index in range(words):
        word = rng.choice(WORDS) if rng.random() > 0.03 else rng.choice(ONE_WORD_CUES)
        if not quoting and not capital and sentence_left > 3 and rng.random() < 0.04:
            put("“")
            quoting = True
        put_word(word[0].upper() + word[1:] if capital else word)
        capital = False
        sentence_left -= 1
        if quoting and (sentence_left <= 1 or rng.random() < 0.15):
            put("”")
            quoting = False
        if index == words - 1:
            put(".\n")
        elif sentence_left <= 0:
            sentence_left = rng.randint(6, 24)
            paragraph_left -= 1
            if paragraph_left <= 0:
                paragraph_left = rng.randint(2, 6)
                put(".\n\n")
            else:
                put(". ")
            capital = True
        else:
            put(", " if rng.random() < 0.06 else " ")
    return "".join(parts), spans


def speaker_plans(seed: int, count: int = 48) -> list[SpeakerPlan]:
    """Return ``count`` speakers: every kind on every side first, then drawn at random.

    Names and aliases are unique ignoring case, as the database requires.
    """
    rng = rng_for(seed, "speakers")
    people = rng.sample([f"{g} {f}" for g in GIVEN_NAMES for f in FAMILY_NAMES], count)
    kinds_sides = [(k, s) for k in SpeakerKind.values for s in SeedSide.values]
    plans = []
    for index in range(count):
        kind, side = (
            kinds_sides[index]
            if index < len(kinds_sides)
            else (rng.choice(SpeakerKind.values), rng.choice(SeedSide.values))
        )
        word = rng.choice(ORGANISATIONS if kind == SpeakerKind.ORGANISATION else DOCUMENTS)
        name = {
            SpeakerKind.PERSON: people[index],
            SpeakerKind.ORGANISATION: f"{people[index].split()[1]} {word} № {index}",
            SpeakerKind.UNNAMED: f"Sources close to {people[index]} ({index})",
            SpeakerKind.DOCUMENT: f"{word} {index} of {people[index].split()[1]}",
        }[kind]
        initials = "".join(part[0] for part in name.split() if part[0].isalpha()).upper()
        plans.append(
            SpeakerPlan(
                name=name,
                kind=kind,
                side=side,
                role=rng.choice(("", "negotiator", "governor", "spokesperson", "activist")),
                reference_url=(
                    f"https://www.wikidata.org/wiki/Q{1000 + index}" if index % 3 == 0 else ""
                ),
                aliases=(f"{initials}-{index}",) if index % 2 else (),
            )
        )
    return plans


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _span(
    rng: random.Random, spans: Sequence[tuple[int, int]], first: int, longest: int = 12
) -> tuple[int, int]:
    """Return the code-point span of one to ``longest`` words starting at word ``first``."""
    # Short highlights are the common case; a few run over a sentence.
    length = min(longest, 1 + int(rng.expovariate(1 / 3)))
    last = min(len(spans) - 1, first + length - 1)
    return spans[first][0], spans[last][1]


def claim_plan(
    rng: random.Random,
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    status: str,
    speakers: int,
    first_word: int | None = None,
) -> ClaimPlan:
    """Return one claim on ``text`` in ``status``, drawn from ``rng``, keeping every rule."""
    first = rng.randrange(len(spans)) if first_word is None else first_word
    start, end = _span(rng, spans, first)
    quote = text[start:end]
    attribution = rng.choices(Attribution.values, weights=(3, 5, 2))[0]
    speaker = None if attribution == Attribution.AUTHOR else rng.randrange(speakers)
    cue, cue_start, cue_end = "", None, None
    if speaker is not None:
        how = rng.random()
        if how < 0.6:
            # The word just before the quote (or after, at the text's start) is its cue.
            cue_word = first - 1 if first > 0 else min(len(spans) - 1, first + 1)
            cue_start, cue_end = spans[cue_word]
            cue = text[cue_start:cue_end]
        elif how < 0.8:
            cue = rng.choice(CUES)  # a cue the reviewer typed, with no span in the text
    verdict_count = rng.randint(0, 1) if status == Status.DRAFT else rng.randint(1, 2)
    reviewers = rng.sample(range(REVIEWERS), verdict_count)
    verdicts = tuple(
        VerdictPlan(
            reviewer=reviewer,
            rating=rng.choice(Rating.values),
            rationale=f"{_words(rng, rng.randint(5, 30)).capitalize()}.",
        )
        for reviewer in reviewers
    )
    sources = tuple(
        SourcePlan(
            url=f"https://{rng.choice(DOMAINS)}/{rng.choice(WORDS[:40])}/{rng.randrange(10**6)}",
            stance=rng.choice(Stance.values),
            added_by=rng.randrange(REVIEWERS),
            title=_words(rng, rng.randint(3, 9)).capitalize() if rng.random() < 0.7 else "",
            publisher=rng.choice(PUBLISHERS),
            published_on=(
                date(2014, 1, 1) + timedelta(days=rng.randrange(365))
                if rng.random() < 0.5
                else None
            ),
            excerpt=_words(rng, rng.randint(8, 40)) if rng.random() < 0.4 else "",
        )
        for _ in range(rng.randint(1, 3))
    )
    submitted = status != Status.DRAFT
    return ClaimPlan(
        start=start,
        end=end,
        quote=quote,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        kind=rng.choice(ClaimKind.values),
        attribution=attribution,
        speaker=speaker,
        cue=cue,
        cue_start=cue_start,
        cue_end=cue_end,
        restatement=(
            f"{_words(rng, rng.randint(6, 20)).capitalize()}."
            if submitted or rng.random() < 0.6
            else ""
        ),
        note=_words(rng, rng.randint(3, 12)) if rng.random() < 0.2 else "",
        status=status,
        # A draft is at version 1; submitting makes 2; verifying or rejecting, 3.
        version={Status.DRAFT: 1, Status.IN_REVIEW: 2}.get(status, 3),
        author=rng.randrange(REVIEWERS),
        rejection_reason=_words(rng, rng.randint(4, 12)) if status == Status.REJECTED else "",
        verdicts=verdicts,
        sources=sources,
    )


def article_plan(
    seed: int, number: int, *, words: int, claims: int, verified: int, speakers: int
) -> ArticlePlan:
    """Return article ``number`` with ``claims`` claims, exactly ``verified`` of them verified."""
    if not 0 <= verified <= claims:
        raise ValueError(f"verified ({verified}) must be between 0 and claims ({claims}).")
    rng = rng_for(seed, "article", number)
    text, spans = article_text(rng, number, words)
    chosen = set(rng.sample(range(claims), verified))
    statuses = [
        Status.VERIFIED
        if index in chosen
        else rng.choices((Status.DRAFT, Status.IN_REVIEW, Status.REJECTED), weights=(3, 4, 3))[0]
        for index in range(claims)
    ]
    return ArticlePlan(
        number=number,
        title=f"{_words(rng, rng.randint(4, 10)).capitalize()} ({number})" if number % 7 else "",
        outlet=rng.choice(OUTLETS),
        byline=f"By {rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}" if number % 2 else "",
        url=f"https://{rng.choice(DOMAINS)}/articles/{number}" if number % 3 else "",
        published_on=date(2014, 5, 4) + timedelta(days=number % 365) if number % 5 else None,
        language="en",
        text=text,
        claims=tuple(
            claim_plan(rng, text, spans, status=status, speakers=speakers) for status in statuses
        ),
    )


def claim_requests(
    seed: int, text: str, count: int, *, article: int, speakers: Sequence[int]
) -> list[dict[str, Any]]:
    """Return ``count`` request bodies for POST /api/claims/ on ``text``, each a distinct span.

    What a reviewer's browser sends: the span, the quote and its context, a
    restatement, the attribution and cue; half of them go straight to review.
    """
    rng = rng_for(seed, "requests", article)
    spans = article_text_spans(text)
    if count > len(spans):
        raise ValueError(
            f"{count} distinct claims need at least {count} words; the text has fewer."
        )
    # Spread over the text as reviewers do; each starts at a word of its own, so no two
    # claims share a span.
    firsts = sorted(rng.sample(range(len(spans)), count))
    bodies = []
    for first in firsts:
        plan = claim_plan(
            rng, text, spans, status=Status.DRAFT, speakers=len(speakers), first_word=first
        )
        body: dict[str, Any] = {
            "article": article,
            "start": plan.start,
            "end": plan.end,
            "quote": plan.quote,
            "prefix": plan.prefix,
            "suffix": plan.suffix,
            "restatement": plan.restatement or "Checkable as highlighted.",
            "kind": plan.kind,
            "speaker": None if plan.speaker is None else speakers[plan.speaker],
            "attribution": plan.attribution,
            "cue": plan.cue,
            "note": plan.note,
            "submit": rng.random() < 0.5,
        }
        if plan.cue_start is not None:
            body.update(cue_start=plan.cue_start, cue_end=plan.cue_end)
        bodies.append(body)
    return bodies


def article_text_spans(text: str) -> list[tuple[int, int]]:
    """Return each word's (start, end) in a text that ``article_text`` made, after the dateline."""
    body = text.index(" — ") + len(" — ")
    spans = []
    for match in _WORD.finditer(text, body):
        word = match[0].rstrip(".,")  # the punctuation that ends a sentence or a clause
        if word:
            spans.append((match.start(), match.start() + len(word)))
    return spans


_WORD = re.compile(r"[^\s“”]+")
