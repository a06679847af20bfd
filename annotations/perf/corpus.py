"""A synthetic corpus for the benchmark: the same articles, speakers and claims for the same seed.

Each article is drawn from its own ``random.Random`` (seeded from the run's
seed and the article's number), so an article is the same whether the corpus
is built in one go or in steps, and whatever was built before it. The words
come from a fixed vocabulary with accented letters, a combining accent and
emoji (some of two code points), so every offset is exercised in code points.

The rows are bulk-inserted, not written through ``annotations.services``: a
hundred thousand claims with their verdicts and sources through the write path
would take an hour or more and fill the history tables, which nothing measured
reads. Every rule the write path checks is kept instead: the quote is the text
at its offsets, prefix and suffix are the ``CONTEXT_CHARS`` around it, the cue
is the text at its span, a speaker unless the article's own voice, a
restatement once submitted, verified claims publish one of their own verdicts
and say who moderated them and when, rejected ones say why.
``check_invariants`` then checks every row against these rules, so that a
mistake here fails the run instead of skewing it.
"""

import hashlib
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest, Least, Length, Substr, Trim

from annotations.models import (
    CONTEXT_CHARS,
    Article,
    Attribution,
    Claim,
    ClaimKind,
    Rating,
    Side,
    Source,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
    Stance,
    Status,
    Verdict,
)

METHOD = "bulk inserts keeping every invariant; no history rows"

# Claims inserted per transaction: big enough that a round trip costs little per
# row, small enough that a failed batch is quick to undo.
BATCH_CLAIMS = 5000


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


# The plan: what to insert, drawn from the seed, with no database ----------------


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


def _rng(seed: int, *what: object) -> random.Random:
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
    rng = _rng(seed, "speakers")
    people = rng.sample([f"{g} {f}" for g in GIVEN_NAMES for f in FAMILY_NAMES], count)
    kinds_sides = [(k, s) for k in SpeakerKind.values for s in Side.values]
    plans = []
    for index in range(count):
        kind, side = (
            kinds_sides[index]
            if index < len(kinds_sides)
            else (rng.choice(SpeakerKind.values), rng.choice(Side.values))
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
    rng = _rng(seed, "article", number)
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
    rng = _rng(seed, "requests", article)
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


# Building it in the database ------------------------------------------------------


def share(index: int, fraction: float) -> int:
    """Return how many of the first ``index`` claims are verified: floor(index × fraction).

    Exact and spread out: the main corpus has exactly floor(claims × fraction)
    verified claims, and any stretch of it close to its share.
    """
    return math.floor(index * fraction + 1e-9)


@dataclass
class Counts:
    articles: int = 0
    claims: int = 0
    verified: int = 0
    verdicts: int = 0
    sources: int = 0


@dataclass
class _Pending:
    """Claims of one article waiting to be inserted, with the article if it is new."""

    plan: ArticlePlan
    claims: Sequence[ClaimPlan]
    article: Article | None = None


@dataclass
class Corpus:
    """The corpus being built in the current database, in steps that keep it reproducible.

    The main corpus is ``articles`` articles of about ``words`` words sharing
    ``claims`` claims, ``verified`` of them (a fraction) verified. ``build``
    inserts it, all at once or up to an exact number of verified claims;
    ``extend_verified`` then adds articles whose claims are all verified.
    """

    seed: int
    articles: int
    words: int
    claims: int
    verified: float
    speakers: int = 48
    progress: Callable[[int], None] = lambda claims: None
    counts: Counts = field(default_factory=Counts)
    reviewers: list[User] = field(default_factory=list)
    moderators: list[User] = field(default_factory=list)
    speaker_rows: list[Speaker] = field(default_factory=list)
    _next_article: int = 0  # the main corpus's next article to insert claims of
    # An article whose claims were only partly inserted, and how many of them were.
    _partial: tuple[_Pending, int] | None = None
    _extra_number: int = 0

    @property
    def planned_verified(self) -> int:
        """Return the number of verified claims in the finished main corpus."""
        return share(self.claims, self.verified)

    @property
    def per_article(self) -> int:
        """Return how many claims an article of the main corpus has (the most, when uneven)."""
        return max(1, -(-self.claims // self.articles))

    def _claims_of(self, number: int) -> range:
        """Return the main corpus's indexes of article ``number``'s claims: an even share each."""
        base, extra = divmod(self.claims, self.articles)
        first = number * base + min(number, extra)
        return range(first, first + base + (1 if number < extra else 0))

    def setup(self) -> None:
        """Insert the people and the speakers every article shares."""
        with transaction.atomic():
            rng = _rng(self.seed, "people")
            users = [
                User(
                    username=f"reviewer-{index + 1:02}",
                    # Some reviewers have no full name: the export then shows the username.
                    first_name=rng.choice(GIVEN_NAMES) if index % 3 else "",
                    last_name=rng.choice(FAMILY_NAMES) if index % 3 else "",
                    email=f"reviewer-{index + 1:02}@desk.example",
                )
                for index in range(REVIEWERS)
            ] + [
                User(username=f"moderator-{index + 1}", is_staff=True)
                for index in range(MODERATORS)
            ]
            for user in users:
                user.set_unusable_password()
            users = User.objects.bulk_create(users)
            self.reviewers, self.moderators = users[:REVIEWERS], users[REVIEWERS:]
            memberships = User.groups.through
            reviewers_group = Group.objects.get(name="Reviewers")
            moderators_group = Group.objects.get(name="Moderators")
            memberships.objects.bulk_create(
                [memberships(user=user, group=reviewers_group) for user in self.reviewers]
                + [memberships(user=user, group=moderators_group) for user in self.moderators]
            )
            plans = speaker_plans(self.seed, self.speakers)
            self.speaker_rows = Speaker.objects.bulk_create(
                Speaker(
                    name=plan.name,
                    kind=plan.kind,
                    side=plan.side,
                    role=plan.role,
                    reference_url=plan.reference_url,
                )
                for plan in plans
            )
            SpeakerAlias.objects.bulk_create(
                SpeakerAlias(speaker=speaker, name=alias)
                for speaker, plan in zip(self.speaker_rows, plans, strict=True)
                for alias in plan.aliases
            )

    def build(self, *, until_verified: int | None = None) -> None:
        """Insert the main corpus, or as much of it as has ``until_verified`` verified claims.

        A stop may fall inside an article: the rest of its claims come with the
        next call, so the finished corpus is the same with or without stops.
        """
        if until_verified is not None and not (
            self.counts.verified <= until_verified <= self.planned_verified
        ):
            raise ValueError(
                f"The main corpus can stop at {self.counts.verified} to "
                f"{self.planned_verified} verified claims, not {until_verified}."
            )
        pending: list[_Pending] = []
        waiting = 0
        while self._next_article < self.articles:
            if until_verified is not None and self.counts.verified >= until_verified:
                break
            if self._partial is not None:
                earlier, done = self._partial
                plan, article = earlier.plan, earlier.article
            else:
                indexes = self._claims_of(self._next_article)
                plan = article_plan(
                    self.seed,
                    self._next_article,
                    words=self.words,
                    claims=len(indexes),
                    verified=share(indexes.stop, self.verified)
                    - share(indexes.start, self.verified),
                    speakers=self.speakers,
                )
                article, done = None, 0
            taken = plan.claims[done:]
            if until_verified is not None:
                # Stop just after the claim that brings the verified count to the target.
                needed = until_verified - self.counts.verified
                for index, claim in enumerate(taken):
                    needed -= claim.status == Status.VERIFIED
                    if needed == 0:
                        taken = taken[: index + 1]
                        break
            item = _Pending(plan, taken, article)
            pending.append(item)
            self.counts.verified += sum(claim.status == Status.VERIFIED for claim in taken)
            if done + len(taken) < len(plan.claims):
                self._partial = (item, done + len(taken))  # _insert gives item its article
            else:
                self._partial = None
                self._next_article += 1
            waiting += len(taken)
            if waiting >= BATCH_CLAIMS:
                self._insert(pending)
                pending, waiting = [], 0
        self._insert(pending)

    def extend_verified(self, target: int) -> None:
        """Add articles whose claims are all verified until exactly ``target`` are verified."""
        if target < self.counts.verified:
            raise ValueError(f"{self.counts.verified} claims are verified already, not {target}.")
        pending: list[_Pending] = []
        waiting = 0
        while self.counts.verified < target:
            count = min(self.per_article, target - self.counts.verified)
            # Numbered after the main corpus's articles, so their texts differ from those.
            number = self.articles + self._extra_number
            self._extra_number += 1
            plan = article_plan(
                self.seed,
                number,
                words=self.words,
                claims=count,
                verified=count,
                speakers=self.speakers,
            )
            pending.append(_Pending(plan, plan.claims))
            self.counts.verified += count
            waiting += count
            if waiting >= BATCH_CLAIMS:
                self._insert(pending)
                pending, waiting = [], 0
        self._insert(pending)

    def add_article(self, plan: ArticlePlan) -> Article:
        """Insert one article with its claims (all at once), and return it."""
        self.counts.verified += sum(c.status == Status.VERIFIED for c in plan.claims)
        [pending] = self._insert([_Pending(plan, plan.claims)])
        assert pending.article is not None  # noqa: S101 (set by _insert)
        return pending.article

    def empty_article(self, number: int, words: int) -> Article:
        """Insert an article with no claims, numbered apart from the corpus's own."""
        return self.add_article(
            article_plan(self.seed, number, words=words, claims=0, verified=0, speakers=1)
        )

    def _insert(self, pending: list[_Pending]) -> list[_Pending]:
        if not pending:
            return pending
        with transaction.atomic():
            new = [p for p in pending if p.article is None]
            made = Article.objects.bulk_create(
                Article(
                    title=p.plan.title,
                    outlet=p.plan.outlet,
                    byline=p.plan.byline,
                    url=p.plan.url,
                    published_on=p.plan.published_on,
                    language=p.plan.language,
                    text=p.plan.text,
                    text_sha256=hashlib.sha256(p.plan.text.encode()).hexdigest(),
                )
                for p in new
            )
            for item, article in zip(new, made, strict=True):
                item.article = article
            self.counts.articles += len(made)
            moderated_at = EPOCH + timedelta(days=30)
            claims = []
            for item in pending:
                for plan in item.claims:
                    moderated = plan.status in (Status.VERIFIED, Status.REJECTED)
                    claims.append(
                        Claim(
                            article=item.article,
                            start=plan.start,
                            end=plan.end,
                            quote=plan.quote,
                            prefix=plan.prefix,
                            suffix=plan.suffix,
                            restatement=plan.restatement,
                            kind=plan.kind,
                            speaker=(
                                None if plan.speaker is None else self.speaker_rows[plan.speaker]
                            ),
                            attribution=plan.attribution,
                            cue=plan.cue,
                            cue_start=plan.cue_start,
                            cue_end=plan.cue_end,
                            note=plan.note,
                            # Verified claims go in as in review and are verified below,
                            # once their verdicts exist; moderated_at marks them meanwhile.
                            status=Status.IN_REVIEW
                            if plan.status == Status.VERIFIED
                            else plan.status,
                            moderated_by=self.moderators[plan.author % MODERATORS]
                            if moderated
                            else None,
                            moderated_at=moderated_at if moderated else None,
                            rejection_reason=plan.rejection_reason,
                            version=plan.version,
                            created_by=self.reviewers[plan.author],
                        )
                    )
            plans = [plan for item in pending for plan in item.claims]
            claims = Claim.objects.bulk_create(claims, batch_size=2000)
            # Each claim's verdicts in plan order: the first, with the lowest id, is published.
            verdicts = Verdict.objects.bulk_create(
                (
                    Verdict(
                        claim=claim,
                        reviewer=self.reviewers[verdict.reviewer],
                        rating=verdict.rating,
                        rationale=verdict.rationale,
                    )
                    for claim, plan in zip(claims, plans, strict=True)
                    for verdict in plan.verdicts
                ),
                batch_size=2000,
            )
            sources = Source.objects.bulk_create(
                (
                    Source(
                        claim=claim,
                        url=source.url,
                        stance=source.stance,
                        added_by=self.reviewers[source.added_by],
                        title=source.title,
                        publisher=source.publisher,
                        published_on=source.published_on,
                        excerpt=source.excerpt,
                    )
                    for claim, plan in zip(claims, plans, strict=True)
                    for source in plan.sources
                ),
                batch_size=2000,
            )
            verified = _publish_first_verdicts(
                first_claim=claims[0].pk if claims else 0,
                first_verdict=verdicts[0].pk if verdicts else 0,
            )
            expected = sum(plan.status == Status.VERIFIED for plan in plans)
            if verified != expected:
                raise CorpusError(f"{verified} claims were verified in a batch, not {expected}.")
            self.counts.claims += len(claims)
            self.counts.verdicts += len(verdicts)
            self.counts.sources += len(sources)
        self.progress(len(claims))
        return pending

    def analyze(self) -> None:
        """Refresh PostgreSQL's statistics, as autovacuum would soon after a bulk load."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Article, Claim, Verdict, Source, Speaker, User):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _publish_first_verdicts(*, first_claim: int, first_verdict: int) -> int:
    """Verify the claims of this batch marked for it, publishing each one's first verdict.

    The marked claims were inserted in review with ``moderated_at`` set, which
    no claim in review has otherwise. One UPDATE … FROM (PostgreSQL, and
    SQLite since 3.33) joins them to their lowest verdict id: a correlated
    subquery would run once per claim against statistics that have not seen
    the rows just inserted yet.
    """
    if not first_claim:
        return 0
    claims = connection.ops.quote_name(Claim._meta.db_table)
    verdicts = connection.ops.quote_name(Verdict._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {claims} SET status = %s, published_verdict_id = first_verdict.id "  # noqa: S608 (table names only)
            f"FROM (SELECT claim_id, MIN(id) AS id FROM {verdicts} WHERE id >= %s "
            "GROUP BY claim_id) AS first_verdict "
            f"WHERE {claims}.id = first_verdict.claim_id AND {claims}.id >= %s "
            f"AND {claims}.status = %s AND {claims}.moderated_at IS NOT NULL",
            [Status.VERIFIED, first_verdict, first_claim, Status.IN_REVIEW],
        )
        return cursor.rowcount


# Checking it ----------------------------------------------------------------------


class CorpusError(RuntimeError):
    """The corpus breaks a rule the write path keeps: the benchmark would measure nonsense."""


def _text_at(start: Any, length: Any) -> Substr:
    """Return the article's text from ``start`` (0-based code points), ``length`` long, in SQL."""
    return Substr("article__text", start + 1, length)


SPAN_RULES = (
    "quote is not the text at its offsets",
    "span ends beyond the text",
    "quote is only white space",
    "prefix is not the text before the quote",
    "suffix is not the text after the quote",
    "cue is not the text at its span",
    "cue span ends beyond the text",
)


def _span_rules_in_sql(claims: QuerySet[Claim]) -> dict[str, int]:
    """Count the claims whose span breaks each of SPAN_RULES, with the database's SUBSTR."""
    annotated = claims.annotate(
        text_length=Length("article__text"),
        text_quote=_text_at(F("start"), F("end") - F("start")),
        text_prefix=_text_at(
            Greatest(F("start") - CONTEXT_CHARS, Value(0)), Least(F("start"), Value(CONTEXT_CHARS))
        ),
        text_suffix=_text_at(F("end"), Value(CONTEXT_CHARS)),
        text_cue=_text_at(F("cue_start"), F("cue_end") - F("cue_start")),
        trimmed_quote=Trim("quote"),
    )
    conditions = (
        ~Q(quote=F("text_quote")),
        Q(end__gt=F("text_length")),
        Q(trimmed_quote=""),
        ~Q(prefix=F("text_prefix")),
        ~Q(suffix=F("text_suffix")),
        Q(cue_start__isnull=False) & ~Q(cue=F("text_cue")),
        Q(cue_end__gt=F("text_length")),
    )
    found = annotated.aggregate(
        **{f"rule_{i}": Count("pk", filter=rule) for i, rule in enumerate(conditions)}
    )
    return {name: found[f"rule_{i}"] for i, name in enumerate(SPAN_RULES)}


def _span_rules_in_python() -> dict[str, int]:
    """Count the claims whose span breaks each of SPAN_RULES, reading every row once.

    PostgreSQL's SUBSTR walks a text from its start, code point by code point,
    for each call: some 60 µs a claim on these texts, a minute for the whole
    corpus. Python slices the same stored values in a second or two.
    """
    found = dict.fromkeys(SPAN_RULES, 0)
    texts = dict(Article.objects.values_list("pk", "text"))
    rows = Claim.objects.values_list(
        "article_id", "start", "end", "quote", "prefix", "suffix", "cue", "cue_start", "cue_end"
    ).order_by()
    for article, start, end, quote, prefix, suffix, cue, cue_start, cue_end in rows.iterator(
        chunk_size=5000
    ):
        text = texts[article]
        found[SPAN_RULES[0]] += text[start:end] != quote
        found[SPAN_RULES[1]] += end > len(text)
        found[SPAN_RULES[2]] += not quote.strip()
        found[SPAN_RULES[3]] += text[max(0, start - CONTEXT_CHARS) : start] != prefix
        found[SPAN_RULES[4]] += text[end : end + CONTEXT_CHARS] != suffix
        if cue_start is not None:
            found[SPAN_RULES[5]] += text[cue_start:cue_end] != cue
            found[SPAN_RULES[6]] += cue_end > len(text)
    return found


def check_invariants(*, sql_sample: int | None = 2) -> dict[str, int]:
    """Return, for each rule the write path keeps, how many rows break it (0 when all is well).

    The claims' spans are checked twice: every claim in Python against the
    stored text, and the claims of ``sql_sample`` articles (the first ones;
    None: every article) with the database's own SUBSTR and LENGTH, which must
    count code points as Python does, since the write path relies on that.
    The other rules are one SQL pass each; the articles' hashes are checked in
    Python, as SQLite has no SHA-256.
    """
    verified = Q(status=Status.VERIFIED)
    moderated = Q(status__in=(Status.VERIFIED, Status.REJECTED))
    rules = {
        "no speaker and not the article's own voice": Q(speaker__isnull=True)
        & ~Q(attribution=Attribution.AUTHOR),
        "verified without a published verdict": verified & Q(published_verdict__isnull=True),
        "publishes another claim's verdict": verified
        & Q(published_verdict__isnull=False)
        & ~Q(published_verdict__claim_id=F("pk")),
        "publishes a verdict but is not verified": ~verified & Q(published_verdict__isnull=False),
        "moderated without who or when": moderated
        & (Q(moderated_by__isnull=True) | Q(moderated_at__isnull=True)),
        "open but marked as moderated": ~moderated
        & (Q(moderated_by__isnull=False) | Q(moderated_at__isnull=False)),
        "rejected without a reason": Q(status=Status.REJECTED, rejection_reason=""),
        "submitted without a restatement": ~Q(status=Status.DRAFT) & Q(restatement=""),
    }
    broken = Claim.objects.aggregate(
        **{f"rule_{i}": Count("pk", filter=rule) for i, rule in enumerate(rules.values())}
    )
    found = _span_rules_in_python()
    sample = Claim.objects.all()
    if sql_sample is not None:
        first = Article.objects.order_by("pk").values("pk")[:sql_sample]
        sample = sample.filter(article_id__in=list(first.values_list("pk", flat=True)))
    for name, count in _span_rules_in_sql(sample).items():
        found[f"{name} (SQL)"] = count
    found.update({name: broken[f"rule_{i}"] for i, name in enumerate(rules)})
    found["two verdicts by one reviewer on a claim"] = (
        Verdict.objects.values("claim_id", "reviewer_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    found["verdict without a rationale"] = Verdict.objects.filter(rationale="").count()
    found["source without an http(s) address"] = Source.objects.exclude(
        Q(url__startswith="http://") | Q(url__startswith="https://")
    ).count()
    found["article's SHA-256 is not its text's"] = sum(
        hashlib.sha256(text.encode()).hexdigest() != digest
        for text, digest in Article.objects.values_list("text", "text_sha256").iterator(
            chunk_size=20
        )
    )
    return found


def assert_invariants() -> dict[str, int]:
    """Check every rule; raise CorpusError naming each broken one, else return the checks."""
    found = check_invariants()
    broken = {name: count for name, count in found.items() if count}
    if broken:
        raise CorpusError(
            "The synthetic corpus breaks the desk's rules: "
            + "; ".join(f"{name}: {count} row(s)" for name, count in broken.items())
        )
    return found


def counts_in_database() -> dict[str, int]:
    """Return the corpus's size as the database has it."""
    return {
        "articles": Article.objects.count(),
        "claims": Claim.objects.count(),
        "verified": Claim.objects.filter(status=Status.VERIFIED).count(),
        "verdicts": Verdict.objects.count(),
        "sources": Source.objects.count(),
        "speakers": Speaker.objects.count(),
    }
