"""Measure the export: make N verified claims, stream every format, report, delete them.

The claims are bulk-inserted (no history rows, no write path: this is a
measurement, not data), but each keeps every rule the write path checks: the
quote is the text at its offsets (code points; the text holds emoji and
accented letters), prefix and suffix are the 32 characters around it, the cue
is the text at its span, and each verified claim publishes its own verdict.
Everything made is tagged with a run id and deleted at the end.
"""

import resource
import secrets
import sys
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from annotations import exports, services
from annotations.models import CONTEXT_CHARS, Article, Claim, Source, Speaker, Verdict

MARK = "bench-export"
CLAIMS_PER_ARTICLE = 100
ARTICLES_PER_BATCH = 20
RATINGS = list(Verdict.Rating.values)


@dataclass(frozen=True)
class BenchRun:
    tag: str
    claims: int


def _paragraph(tag: str, article: int, index: int) -> tuple[str, tuple[int, int], tuple[int, int]]:
    """Return a paragraph, the span of its claim and of its cue, relative to the paragraph."""
    lead = f"Día {index}: the Homs café 🇸🇾 reopened, and émigrés 😀 came back ({tag}). "
    cue = "said"
    speech = f"Officials {cue} "
    quote = f"{1000 + article * 7 + index} fighters left the Old City on day {index}"
    paragraph = f"{lead}{speech}{quote}, a figure others dispute.\n"
    cue_start = len(lead) + len("Officials ")
    start = len(lead) + len(speech)
    return paragraph, (start, start + len(quote)), (cue_start, cue_start + len(cue))


def create_verified_claims(count: int, *, tag: str) -> BenchRun:
    """Bulk-create ``count`` verified claims, each with a verdict and two sources."""
    now = timezone.now()
    reviewer = User.objects.create(
        username=f"{MARK}-{tag}-reviewer",
        first_name="Bench",
        last_name="Reviewer",
        email=f"{MARK}-{tag}@example.invalid",
    )
    moderator = User.objects.create(username=f"{MARK}-{tag}-moderator", is_staff=True)
    speakers = Speaker.objects.bulk_create(
        [
            Speaker(
                name=f"{MARK} {tag} {kind}",
                kind=kind,
                side=Speaker.Side.OPPOSITION,
                reference_url=f"https://www.wikidata.org/wiki/Q{index + 1}" if index == 0 else "",
            )
            for index, kind in enumerate(Speaker.Kind.values)
        ]
    )
    made = 0
    article_index = 0
    while made < count:
        with transaction.atomic():
            made += _create_batch(
                tag=tag,
                first_article=article_index,
                count=min(count - made, CLAIMS_PER_ARTICLE * ARTICLES_PER_BATCH),
                speakers=speakers,
                reviewer=reviewer,
                moderator=moderator,
                now=now,
            )
        article_index += ARTICLES_PER_BATCH
        reset_queries()  # with DEBUG on, Django keeps every query's SQL
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Article, Claim, Verdict, Source, Speaker):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return BenchRun(tag=tag, claims=made)


def _create_batch(
    *,
    tag: str,
    first_article: int,
    count: int,
    speakers: list[Speaker],
    reviewer: User,
    moderator: User,
    now: datetime,
) -> int:
    articles, spans = [], []
    for offset in range(-(-count // CLAIMS_PER_ARTICLE)):
        number = first_article + offset
        claims_here = min(CLAIMS_PER_ARTICLE, count - offset * CLAIMS_PER_ARTICLE)
        parts, article_spans, position = [], [], 0
        for index in range(claims_here):
            paragraph, (start, end), (cue_start, cue_end) = _paragraph(tag, number, index)
            parts.append(paragraph)
            article_spans.append(
                (position + start, position + end, position + cue_start, position + cue_end)
            )
            position += len(paragraph)
        text = "".join(parts)
        articles.append(
            Article(
                title=f"{MARK} {tag} article {number}",
                outlet="Bench Wire" if number % 2 else "",
                url=f"https://example.org/{tag}/{number}" if number % 3 else "",
                published_on=date(2014, 5, 4) + timedelta(days=number % 365),
                text=text,
                text_sha256=services.text_sha256(text),
            )
        )
        spans.append(article_spans)
    articles = Article.objects.bulk_create(articles)

    claims = []
    for article, article_spans in zip(articles, spans, strict=True):
        text = article.text
        for index, (start, end, cue_start, cue_end) in enumerate(article_spans):
            # One claim in five is in the article's own voice.
            speaker = speakers[index % len(speakers)] if index % 5 else None
            attribution = Claim.Attribution.REPORTED_SPEECH if speaker else Claim.Attribution.AUTHOR
            claims.append(
                Claim(
                    article=article,
                    start=start,
                    end=end,
                    quote=text[start:end],
                    prefix=text[max(0, start - CONTEXT_CHARS) : start],
                    suffix=text[end : end + CONTEXT_CHARS],
                    restatement="" if index % 4 == 0 else f"Officials reported {text[start:end]}.",
                    kind=Claim.Kind.QUANTITY,
                    speaker=speaker,
                    attribution=attribution,
                    cue=text[cue_start:cue_end] if speaker else "",
                    cue_start=cue_start if speaker else None,
                    cue_end=cue_end if speaker else None,
                    status=Claim.Status.IN_REVIEW,
                    created_by=reviewer,
                )
            )
    claims = Claim.objects.bulk_create(claims)
    Verdict.objects.bulk_create(
        Verdict(
            claim=claim,
            reviewer=reviewer,
            rating=RATINGS[index % len(RATINGS)],
            rationale=f"The ministry's own figures for day {index} show otherwise.",
        )
        for index, claim in enumerate(claims)
    )
    Source.objects.bulk_create(
        Source(
            claim=claim,
            url=f"https://example.org/{tag}/evidence/{claim.pk}/{n}",
            title=f"Evidence {n} for claim {claim.pk}" if n else "",
            publisher="UN OCHA" if n else "",
            stance=Source.Stance.SUPPORTS if n else Source.Stance.REFUTES,
            excerpt="Some 1,900 people left in the first days." if n else "",
            added_by=reviewer,
        )
        for claim in claims
        for n in range(2)
    )
    # One statement publishes each claim's verdict (the database checks the pair).
    published = Verdict.objects.filter(claim_id=OuterRef("pk")).values("pk")[:1]
    return Claim.objects.filter(article__in=articles).update(
        status=Claim.Status.VERIFIED,
        published_verdict=Subquery(published),
        moderated_by=moderator,
        moderated_at=now,
        updated_at=now,
    )


def delete_run(tag: str) -> None:
    """Delete everything a run made, without signals (no history rows for bench data)."""
    articles = Article.objects.filter(title__startswith=f"{MARK} {tag} ")
    claims = Claim.objects.filter(article__in=articles)
    alias = connection.alias
    with transaction.atomic():
        claims.update(status=Claim.Status.IN_REVIEW, published_verdict=None)
        # _raw_delete: one DELETE statement, as Django's own fast deletes do.
        Source.objects.filter(claim__in=claims)._raw_delete(alias)
        Verdict.objects.filter(claim__in=claims)._raw_delete(alias)
        claims._raw_delete(alias)
        articles._raw_delete(alias)
        Speaker.objects.filter(name__startswith=f"{MARK} {tag} ")._raw_delete(alias)
        User.objects.filter(username__startswith=f"{MARK}-{tag}-").delete()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Clear the dead rows now, or the next run's first page walks past them.
        with connection.cursor() as cursor:
            for model in (Source, Verdict, Claim, Article):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _counted(claims: Iterable[Claim], tally: list[int]) -> Iterator[Claim]:
    for claim in claims:
        tally[0] += 1
        yield claim


def _megabytes(value: float) -> str:
    return f"{value / 2**20:,.1f} MB"


def _current_rss() -> int:
    """Return the process's resident set size in bytes now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except OSError:
        return 0


def _peak_rss() -> int:
    """Return the process's peak resident set size in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux


class Command(BaseCommand):
    help = (
        "Benchmark the export on the current database: bulk-create N verified claims, "
        "stream every format through the export's own code, print claims/second, bytes and "
        "memory, then delete what it made."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, required=True, help="How many claims to make.")
        parser.add_argument(
            "--formats",
            nargs="+",
            default=list(exports.FORMATS),
            choices=list(exports.FORMATS),
            help="Formats to measure (default: all).",
        )
        parser.add_argument("--batch-size", type=int, default=exports.BATCH_SIZE)
        parser.add_argument(
            "--no-tracemalloc",
            action="store_true",
            help="Skip the second pass of each format that measures Python's peak allocations.",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even with DEBUG off (it writes to, and deletes from, this database).",
        )

    def handle(
        self,
        *args: Any,
        claims: int,
        formats: list[str],
        batch_size: int,
        no_tracemalloc: bool,
        allow_without_debug: bool,
        **options: Any,
    ) -> None:
        if claims < 1 or batch_size < 1:
            raise CommandError("--claims and --batch-size must be 1 or more.")
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "DEBUG is off, so this may be a production database: the benchmark writes "
                "and deletes rows. Pass --allow-without-debug if you mean it."
            )
        tag = secrets.token_hex(4)
        database = connection.settings_dict["NAME"]
        self.stdout.write(f"Creating {claims:,} verified claims in {connection.vendor} {database}…")
        started = time.perf_counter()
        try:
            run = create_verified_claims(claims, tag=tag)
            self.stdout.write(
                f"  made in {time.perf_counter() - started:.1f} s (run {tag}); process RSS now "
                f"{_megabytes(_current_rss())}, peak so far {_megabytes(_peak_rss())}"
            )
            context = exports.ExportContext.for_command()
            self.stdout.write(
                f"{'format':<12}{'claims':>9}{'seconds':>9}{'claims/s':>10}{'bytes':>14}"
                f"{'peak RSS':>12}{'traced peak':>13}"
            )
            for name in formats:
                self._measure(exports.FORMATS[name], context, batch_size, not no_tracemalloc)
            self.stdout.write(
                f"(peak RSS is the process's high-water mark so far; traced peak is the most "
                f"Python memory one format's pass held at once. Run made {run.claims:,} claims.)"
            )
        finally:
            reset_queries()
            delete_run(tag)
            self.stdout.write(f"Deleted run {tag}.")

    def _measure(
        self, fmt: exports.ExportFormat, context: exports.ExportContext, batch: int, traced: bool
    ) -> None:
        tally = [0]
        size = 0
        started = time.perf_counter()
        claims = _counted(exports.verified_claims(batch_size=batch), tally)
        for chunk in exports.stream_bytes(fmt, claims, context):
            size += len(chunk)
        elapsed = time.perf_counter() - started
        reset_queries()
        peak_traced = "-"
        if traced:
            tracemalloc.start()
            for _chunk in exports.stream_bytes(
                fmt, exports.verified_claims(batch_size=batch), context
            ):
                pass
            peak_traced = _megabytes(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            reset_queries()
        self.stdout.write(
            f"{fmt.name:<12}{tally[0]:>9,}{elapsed:>9.2f}{tally[0] / elapsed:>10,.0f}"
            f"{size:>14,}{_megabytes(_peak_rss()):>12}{peak_traced:>13}"
        )
