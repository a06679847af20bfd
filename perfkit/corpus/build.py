"""Inserting the corpus in the current database, in steps that keep it reproducible."""

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from annotations import names
from annotations.models import Article, Claim, Source, Speaker, SpeakerAlias, Status, Verdict

from .checks import CorpusError
from .plan import (
    EPOCH,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MODERATORS,
    REVIEWERS,
    ArticlePlan,
    ClaimPlan,
    article_plan,
    rng_for,
    speaker_plans,
)

METHOD = "bulk inserts keeping every invariant; no history rows"

# Claims inserted per transaction: big enough that a round trip costs little per
# row, small enough that a failed batch is quick to undo.
BATCH_CLAIMS = 5000


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
            rng = rng_for(self.seed, "people")
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
                    name_key=names.name_key(plan.name),
                    bare_key=names.bare_key(plan.name),
                    kind=plan.kind,
                    side_id=plan.side,
                    role=plan.role,
                    reference_url=plan.reference_url,
                )
                for plan in plans
            )
            SpeakerAlias.objects.bulk_create(
                SpeakerAlias(
                    speaker=speaker,
                    name=alias,
                    name_key=names.name_key(alias),
                    bare_key=names.bare_key(alias),
                )
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
                            verdict_count=len(plan.verdicts),  # those inserted below
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
