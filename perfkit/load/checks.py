"""The load test's checks: the ledger compared with what the database holds."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F

from annotations.models import Claim, Source, Verdict

from .desk import CLAIM_VALUES, Desk, claim_values
from .ledger import (
    CLIENT_FAILED,
    EDITS,
    EXPECTED,
    REFUSED_FIELD,
    VERDICTS,
    VERSION_BUMPS,
    Entry,
)


@dataclass
class Check:
    name: str
    summary: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def check_integrity(ledger: Sequence[Entry], desk: Desk) -> list[Check]:
    """Compare the ledger with the database; each check lists what it found wrong."""
    ordered = sorted(ledger, key=lambda e: (e.client, e.seq))
    users = {account.index: account.user_id for account in desk.accounts}
    return [
        _check_answers(ordered),
        _check_server_errors(ordered),
        *_check_writes(ordered, desk, users),
        _check_verdict_counts(),
    ]


def _check_answers(ledger: Sequence[Entry]) -> Check:
    check = Check("every answer is one the API may give")
    for entry in ledger:
        if entry.method == CLIENT_FAILED:
            check.failures.append(f"{entry.kind} by client {entry.client} failed: {entry.error}")
            continue
        if entry.status is None or entry.status >= 500:
            continue  # counted by the server-error check
        expected = EXPECTED.get(entry.kind)
        if expected is None or entry.status not in expected:
            allowed = ", ".join(map(str, sorted(expected or ())))
            check.failures.append(f"{entry.describe()}; expected {allowed}")
        elif entry.error:
            check.failures.append(f"{entry.describe()}: {entry.error}")
        elif entry.status == 409 and entry.via != "body":
            check.failures.append(f"{entry.describe()}: 409 although the edit sent If-Match")
        elif entry.status == 412 and entry.via != "if-match":
            check.failures.append(f"{entry.describe()}: 412 although the edit sent no If-Match")
        elif entry.status == 400 and REFUSED_FIELD.get(entry.kind) not in entry.fields:
            check.failures.append(
                f"{entry.describe()}: the 400 named {list(entry.fields)}, "
                f"not {REFUSED_FIELD.get(entry.kind)}"
            )
    statuses = Counter(e.status for e in ledger if e.status is not None)
    check.summary = f"{sum(statuses.values()):,} answers: " + ", ".join(
        f"{count:,}×{status}" for status, count in sorted(statuses.items())
    )
    return check


def _check_server_errors(ledger: Sequence[Entry]) -> Check:
    check = Check("no server errors")
    server_errors = [e for e in ledger if e.status is not None and e.status >= 500]
    no_answer = [e for e in ledger if e.status is None and e.method != CLIENT_FAILED]
    check.failures = [e.describe() for e in (*server_errors, *no_answer)]
    check.summary = f"{len(server_errors)} × 5xx, {len(no_answer)} without an answer"
    return check


def _succeeded(entry: Entry) -> bool:
    return entry.status is not None and 200 <= entry.status < 300


def _refused(entry: Entry) -> bool:
    return entry.status is not None and 400 <= entry.status < 500


@dataclass
class _ExpectedClaim:
    """What a claim should hold: where it started, and the writes that changed it, in order."""

    values: dict[str, Any]
    version: int
    author: int
    created: Entry | None = None  # the create, for the claims the run made
    bumps: list[Entry] = field(default_factory=list)


def _check_writes(ledger: Sequence[Entry], desk: Desk, users: dict[int, int]) -> list[Check]:
    stored = Check("every successful write is stored as sent")
    refused = Check("no refused write left a trace")
    unknown = Check("nothing was written without a success")
    lost = Check("no lost update")
    history = Check("every write has its history record")

    claims = _expected_claims(ledger, desk, users, stored)
    db_claims = claim_values(claims)
    _compare_claims(claims, db_claims, stored, lost)
    _check_claim_history(claims, users, history)
    _check_refused_edits(ledger, lost)
    sources = _check_sources(ledger, users, stored, history)
    verdicts = _check_verdicts(ledger, users, stored, history)
    _check_refusals(ledger, refused)
    _check_unknown_rows(desk, set(claims), sources, verdicts, unknown)

    made = sum(1 for c in claims.values() if c.created)
    stored.summary = (
        f"{made:,} claims, {len(sources):,} sources, {len(verdicts):,} verdicts "
        f"(on {len(claims):,} claims in all)"
    )
    refused_count = sum(1 for e in ledger if _refused(e) and e.method != "GET")
    refused.summary = f"{refused_count:,} refused writes looked for"
    bumps = sum(len(c.bumps) for c in claims.values())
    shared_ids = {s.id for s in desk.shared}
    shared_bumps = sum(len(c.bumps) for pk, c in claims.items() if pk in shared_ids)
    stale = sum(1 for e in ledger if e.kind == "edit_shared" and e.status in (409, 412))
    lost.summary = (
        f"{len(shared_ids)} shared claims: {shared_bumps:,} edits applied, {stale:,} stale edits "
        f"refused; {bumps - shared_bumps:,} edits and submits of the clients' own claims"
    )
    verdict_writes = sum(len(entries) for entries in verdicts.values())
    history.summary = (
        f"{made + bumps:,} claim records, {len(sources):,} source records, "
        f"{verdict_writes:,} verdict records"
    )
    return [stored, refused, unknown, lost, history]


def _expected_claims(
    ledger: Sequence[Entry], desk: Desk, users: dict[int, int], stored: Check
) -> dict[int, _ExpectedClaim]:
    claims = {
        shared.id: _ExpectedClaim(dict(shared.values), shared.version, shared.author_id)
        for shared in desk.shared
    }
    for entry in ledger:
        if entry.kind == "create_claim" and entry.status == 201:
            if entry.created is None or entry.created in claims:
                stored.failures.append(f"{entry.describe()}: the answer gave id {entry.created}")
                continue
            values = {name: entry.sent[name] for name in CLAIM_VALUES}
            claims[entry.created] = _ExpectedClaim(
                values, entry.version or 0, users[entry.client], created=entry
            )
    for entry in ledger:
        if entry.kind in VERSION_BUMPS and entry.status == 200:
            if entry.claim not in claims:
                stored.failures.append(f"{entry.describe()}: a claim this run did not make")
            else:
                claims[entry.claim].bumps.append(entry)
    return claims


def _compare_claims(
    claims: dict[int, _ExpectedClaim],
    db_claims: dict[int, dict[str, Any]],
    stored: Check,
    lost: Check,
) -> None:
    for pk, expected in claims.items():
        row = db_claims.get(pk)
        if row is None:
            what = expected.created.describe() if expected.created else f"shared claim {pk}"
            stored.failures.append(f"{what}: claim {pk} is not in the database")
            continue
        if row["created_by_id"] != expected.author:
            stored.failures.append(
                f"claim {pk} was made by user {row['created_by_id']}, not {expected.author}"
            )
        values = dict(expected.values)
        bumps = sorted(expected.bumps, key=lambda e: e.version or 0)
        seen = Counter(e.version for e in bumps)
        for version, count in sorted(seen.items(), key=lambda item: item[0] or 0):
            if count > 1:
                lost.failures.append(
                    f"claim {pk}: {count} writes were all answered with version {version}: "
                    "all but one of them were lost"
                )
        for entry in bumps:
            if entry.based_on is not None and entry.version != entry.based_on + 1:
                lost.failures.append(
                    f"{entry.describe()}: it was based on version {entry.based_on} "
                    f"but answered with version {entry.version}"
                )
            values.update(entry.sent)
        wanted = list(range(expected.version + 1, expected.version + 1 + len(bumps)))
        if [e.version for e in bumps] != wanted:
            lost.failures.append(
                f"claim {pk}: the successful writes answered versions "
                f"{[e.version for e in bumps]}, not the consecutive {wanted}"
            )
        final = expected.version + len(bumps)
        if row["version"] != final:
            lost.failures.append(
                f"claim {pk} is at version {row['version']}; from version {expected.version} "
                f"and {len(bumps)} successful writes it should be at {final}"
            )
        wrong = {
            name: (row[name], values[name]) for name in CLAIM_VALUES if row[name] != values[name]
        }
        if wrong:
            described = "; ".join(
                f"{name} is {db!r}, not {want!r}" for name, (db, want) in wrong.items()
            )
            target = stored if not bumps else lost
            target.failures.append(
                f"claim {pk} does not hold what its last successful write left: {described}"
            )


def _check_refused_edits(ledger: Sequence[Entry], lost: Check) -> None:
    """A stale-version refusal must be real: the claim had moved past the version named."""
    for entry in ledger:
        if entry.status in (409, 412) and entry.kind in EDITS:
            if entry.version is None or entry.based_on is None:
                lost.failures.append(f"{entry.describe()}: no current_version in the answer")
            elif entry.version <= entry.based_on:
                lost.failures.append(
                    f"{entry.describe()}: refused as stale, yet the current version "
                    f"{entry.version} is not past the {entry.based_on} it was based on"
                )


def _history_rows(model: type[Any], ids: Iterable[int], *fields: str) -> dict[int, list[dict]]:
    rows: dict[int, list[dict]] = defaultdict(list)
    history = model.history.model.objects.filter(id__in=list(ids))
    for row in history.order_by("history_id").values(
        "id", "history_type", "history_user_id", *fields
    ):
        rows[row["id"]].append(row)
    return rows


def _check_claim_history(
    claims: dict[int, _ExpectedClaim], users: dict[int, int], history: Check
) -> None:
    rows = _history_rows(Claim, claims, "version", "note")
    for pk, expected in claims.items():
        records = rows.get(pk, [])
        if expected.created is not None and not any(
            r["history_type"] == "+" and r["history_user_id"] == expected.author for r in records
        ):
            history.failures.append(f"claim {pk}: no history record of its creation by its author")
        changes = [r for r in records if r["history_type"] == "~"]
        for entry in expected.bumps:
            user = users[entry.client]
            note = entry.sent.get("note")
            if not any(
                r["version"] == entry.version
                and r["history_user_id"] == user
                and (note is None or r["note"] == note)
                for r in changes
            ):
                history.failures.append(
                    f"{entry.describe()}: no history record of version {entry.version} by its user"
                )
        if len(changes) != len(expected.bumps):
            history.failures.append(
                f"claim {pk}: {len(changes)} change records in its history for "
                f"{len(expected.bumps)} successful writes"
            )


def _check_sources(
    ledger: Sequence[Entry], users: dict[int, int], stored: Check, history: Check
) -> dict[int, Entry]:
    made = {
        e.created: e
        for e in ledger
        if e.kind == "add_source" and e.status == 201 and e.created is not None
    }
    rows = {
        row["id"]: row
        for row in Source.objects.filter(pk__in=list(made)).values(
            "id", "claim_id", "url", "stance", "title", "excerpt", "added_by_id"
        )
    }
    for pk, entry in made.items():
        row = rows.get(pk)
        if row is None:
            stored.failures.append(f"{entry.describe()}: source {pk} is not in the database")
            continue
        want = {**entry.sent, "added_by_id": users[entry.client]}
        wrong = [f"{k} is {row[k]!r}, not {v!r}" for k, v in want.items() if row[k] != v]
        if wrong:
            stored.failures.append(f"{entry.describe()}: source {pk}: " + "; ".join(wrong))
    records = _history_rows(Source, made)
    for pk, entry in made.items():
        if not any(
            r["history_type"] == "+" and r["history_user_id"] == users[entry.client]
            for r in records.get(pk, [])
        ):
            history.failures.append(f"{entry.describe()}: source {pk} has no history record")
    return made


def _check_verdicts(
    ledger: Sequence[Entry], users: dict[int, int], stored: Check, history: Check
) -> dict[int, list[Entry]]:
    """Each reviewer's verdict on a claim: made once (201), then replaced (200), last one stands."""
    given: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    for entry in ledger:
        if entry.kind in VERDICTS and _succeeded(entry) and entry.claim is not None:
            given[(entry.claim, entry.client)].append(entry)
    rows = {
        (row["claim_id"], row["reviewer_id"]): row
        for row in Verdict.objects.filter(claim_id__in={c for c, _ in given}).values(
            "id", "claim_id", "reviewer_id", "rating", "rationale"
        )
    }
    by_id: dict[int, list[Entry]] = {}
    for (claim, client), entries in given.items():
        first, last = entries[0], entries[-1]
        ids = {e.created for e in entries}
        if first.kind != "verdict_new" or len(ids) != 1:
            stored.failures.append(
                f"client {client}'s verdicts on claim {claim}: answered ids {sorted(ids)} "
                "(one verdict per reviewer: the first makes it, the others replace it)"
            )
        row = rows.get((claim, users[client]))
        if row is None:
            stored.failures.append(f"{last.describe()}: no verdict of this reviewer on the claim")
            continue
        by_id[row["id"]] = entries
        if row["id"] != first.created:
            stored.failures.append(
                f"{last.describe()}: the verdict is {row['id']}, not {first.created}"
            )
        if (row["rating"], row["rationale"]) != (last.sent["rating"], last.sent["rationale"]):
            stored.failures.append(
                f"{last.describe()}: the verdict holds {row['rating']} “{row['rationale']}”, "
                "not the last one given"
            )
    records = _history_rows(Verdict, by_id)
    for pk, entries in by_id.items():
        user = users[entries[0].client]
        found = records.get(pk, [])
        if len(found) != len(entries) or any(r["history_user_id"] != user for r in found):
            history.failures.append(
                f"verdict {pk}: {len(found)} history records for {len(entries)} successful "
                "writes by its reviewer"
            )
    return by_id


def _check_refusals(ledger: Sequence[Entry], refused: Check) -> None:
    """Look for every refused write's marker, in the rows and in their history."""
    writes = [e for e in ledger if _refused(e) and e.marker]
    notes = [e.marker for e in writes if e.kind in (*EDITS, "create_claim", "create_claim_invalid")]
    urls = [e.marker for e in writes if e.kind in ("add_source", "add_source_invalid")]
    rationales = [e.marker for e in writes if e.kind in VERDICTS]
    by_marker = {e.marker: e for e in writes}
    found: list[tuple[str, str]] = []
    for model, name, values in (
        (Claim, "note", notes),
        (Source, "url", urls),
        (Verdict, "rationale", rationales),
    ):
        if not values:
            continue
        lookup = {f"{name}__in": values}
        for value in model.objects.filter(**lookup).values_list(name, flat=True):
            found.append((value, f"a {model._meta.verbose_name}"))
        for value in model.history.model.objects.filter(**lookup).values_list(name, flat=True):
            found.append((value, f"the history of a {model._meta.verbose_name}"))
    for marker, where in found:
        refused.failures.append(f"{by_marker[marker].describe()}, yet {where} holds its marker")


def _check_verdict_counts(shown: int = 20) -> Check:
    """Every claim's stored number of verdicts is the number it has, whoever gave them."""
    check = Check("every claim's verdict_count is its number of verdicts")
    wrong = list(
        Claim.objects.annotate(given=Count("verdicts"))
        .exclude(verdict_count=F("given"))
        .order_by("pk")
        .values_list("pk", "verdict_count", "given")
    )
    check.failures = [
        f"claim {pk} says it has {stored} verdicts; it has {given}"
        for pk, stored, given in wrong[:shown]
    ]
    if len(wrong) > shown:
        check.failures.append(f"… and {len(wrong) - shown} more claims")
    check.summary = f"{Claim.objects.count():,} claims counted, {len(wrong)} wrong"
    return check


def _check_unknown_rows(
    desk: Desk,
    claims: set[int],
    sources: dict[int, Entry],
    verdicts: dict[int, list[Entry]],
    unknown: Check,
) -> None:
    """Rows that no success answered for: a write that went through while its answer said no."""
    counts = []
    for model, known in (
        (Claim, claims | desk.claims_before),
        (Source, set(sources) | desk.sources_before),
        (Verdict, set(verdicts) | desk.verdicts_before),
    ):
        ids = set(model.objects.values_list("pk", flat=True))
        extra = sorted(ids - known)
        name = model._meta.verbose_name_plural
        counts.append(f"{len(ids):,} {name}")
        if extra:
            shown = ", ".join(map(str, extra[:20])) + (" …" if len(extra) > 20 else "")
            unknown.failures.append(f"{len(extra)} {name} that no answer reported: ids {shown}")
    unknown.summary = ", ".join(counts) + " in the database, each accounted for"
