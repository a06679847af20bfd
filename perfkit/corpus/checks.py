"""Checking the corpus: every rule the write path keeps, counted in the database."""

import hashlib
from collections import Counter
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest, Least, Length, Substr, Trim

from annotations import names
from annotations.models import (
    CONTEXT_CHARS,
    Article,
    Attribution,
    Claim,
    Source,
    Speaker,
    SpeakerAlias,
    Status,
    Verdict,
)


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


VERDICT_COUNT_RULE = "verdict_count is not the number of verdicts"


def _verdict_counts_in_sql() -> int:
    """Count the claims whose stored verdict_count is not the number of their verdicts."""
    return (
        Claim.objects.annotate(verdicts_given=Count("verdicts"))
        .exclude(verdict_count=F("verdicts_given"))
        .count()
    )


def _verdict_counts_in_python() -> int:
    """Count the same claims as _verdict_counts_in_sql, counting the verdicts in Python."""
    given = Counter(Verdict.objects.values_list("claim_id", flat=True).order_by().iterator())
    stored = Claim.objects.values_list("pk", "verdict_count").order_by()
    return sum(count != given[pk] for pk, count in stored.iterator(chunk_size=5000))


def check_invariants(*, sql_sample: int | None = 2) -> dict[str, int]:
    """Return, for each rule the write path keeps, how many rows break it (0 when all is well).

    The claims' spans are checked twice: every claim in Python against the
    stored text, and the claims of ``sql_sample`` articles (the first ones;
    None: every article) with the database's own SUBSTR and LENGTH, which must
    count code points as Python does, since the write path relies on that.
    Each claim's stored number of verdicts is counted twice too, by the database
    and in Python, for every claim.
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
    found[VERDICT_COUNT_RULE] = _verdict_counts_in_python()
    found[f"{VERDICT_COUNT_RULE} (SQL)"] = _verdict_counts_in_sql()
    found["source without an http(s) address"] = Source.objects.exclude(
        Q(url__startswith="http://") | Q(url__startswith="https://")
    ).count()
    found.update(_names_by_the_identity_rule())
    found["article's SHA-256 is not its text's"] = sum(
        hashlib.sha256(text.encode()).hexdigest() != digest
        for text, digest in Article.objects.values_list("text", "text_sha256").iterator(
            chunk_size=20
        )
    )
    return found


def _names_by_the_identity_rule() -> dict[str, int]:
    """Count the names and aliases not stored by annotations.names, and keys shared across them.

    The database keeps each table's keys unique; the services keep a name from
    being an alias too, which only this check sees in a bulk-inserted corpus.
    """
    rows = [
        *Speaker.objects.values_list("name", "name_key", "bare_key"),
        *SpeakerAlias.objects.values_list("name", "name_key", "bare_key"),
    ]
    unlike = sum(
        (names.clean_name(name), names.name_key(name), names.bare_key(name)) != (name, key, bare)
        for name, key, bare in rows
    )
    keys = Counter(key for _, key, _ in rows)
    return {
        "name or alias not stored by the identity rule": unlike,
        "name or alias sharing its key with another": sum(n - 1 for n in keys.values() if n > 1),
    }


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
