"""The load test's clients: reviewers at work, each in a thread with a session of its own."""

import http.client
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from annotations.models import Claim, Source, Verdict
from perfkit.http import Client
from perfkit.server import HOST, server_timing

from .desk import Account, Desk, pick_span, words_of
from .ledger import CLIENT_FAILED, Entry

MARKER_HOST = "load.test"  # never resolved: sources are rows, nobody fetches them
REQUEST_TIMEOUT = 60.0  # seconds; a request slower than this counts as a failed connection
MAX_CONNECTION_ERRORS = 3  # in a row, after which a client stops: the server is gone
# API field → ORM field, for what the clients send.
_API_TO_ORM = {"article": "article_id", "speaker": "speaker_id"}


@dataclass
class OwnClaim:
    """A claim the client made: only it edits the claim, so it always knows the version."""

    article: int
    version: int
    status: str


class LoadClient:
    """One reviewer at work: a session of its own, choosing what to do next by seeded weights."""

    WEIGHTS = {
        "create_claim": 18,
        "create_claim_invalid": 3,
        "add_source": 14,
        "add_source_invalid": 2,
        "verdict": 12,
        "edit_shared": 28,
        "edit_own": 10,
        "submit_own": 5,
        "list_claims": 8,
    }

    def __init__(
        self, account: Account, desk: Desk, http: Client, *, seed: int, origin: float
    ) -> None:
        self.account = account
        self.desk = desk
        self.http = http
        self.rng = random.Random(f"load-client-{seed}-{account.index}")  # noqa: S311
        self.origin = origin
        self.ledger: list[Entry] = []
        self.words = {article.id: words_of(article.text) for article in desk.articles}
        self.texts = {article.id: article.text for article in desk.articles}
        self.own: dict[int, OwnClaim] = {}
        self.verdicts: dict[int, int] = {}  # claim → the id of this reviewer's verdict
        # Every version of each shared claim this client has seen, oldest first.
        self.seen = {claim.id: [claim.version] for claim in desk.shared}
        self.count = 0
        self.connection_errors = 0
        weights = dict(self.WEIGHTS)
        if not account.editor:
            # A plain reviewer tries now and then, and must be refused.
            weights["edit_denied"] = 4
            del weights["edit_shared"]
        self.actions = list(weights)
        self.weights = list(weights.values())

    # The loop

    def run(self, deadline: float, stop: threading.Event) -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            action = self.rng.choices(self.actions, self.weights)[0]
            try:
                getattr(self, f"do_{action}")()
            except Exception as exc:  # a bug on this side must show, and end the run
                self.ledger.append(
                    Entry(
                        client=self.account.index,
                        seq=len(self.ledger),
                        kind=action,
                        method=CLIENT_FAILED,
                        path="-",
                        started=time.monotonic() - self.origin,
                        error=f"{type(exc).__name__}: {exc}",
                    )
                )
                stop.set()
            if self.connection_errors >= MAX_CONNECTION_ERRORS:
                return

    def marker(self, what: str) -> str:
        self.count += 1
        return f"load-c{self.account.index}-{what}{self.count}"

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        **about: Any,
    ) -> tuple[Entry, Any]:
        """Send one request, put it in the ledger and return it with the JSON answer, if any."""
        entry = Entry(
            client=self.account.index,
            seq=len(self.ledger),
            kind=kind,
            method=method,
            path=path,
            started=time.monotonic() - self.origin,
            **about,
        )
        self.ledger.append(entry)
        began = time.perf_counter()
        try:
            response = self.http.request(method, path, json=json, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            entry.seconds = time.perf_counter() - began
            entry.error = f"{type(exc).__name__}: {exc}"
            self.connection_errors += 1
            return entry, None
        self.connection_errors = 0
        entry.seconds = response.seconds
        entry.status = response.status
        entry.timing = server_timing(response.headers)
        try:
            body = response.json()
        except ValueError:
            body = None
            if response.status < 500:
                entry.error = "the answer was not JSON"
        if response.status == 400 and isinstance(body, dict):
            entry.fields = tuple(sorted(body))
        return entry, body

    def _version_headers(self, version: int, body: dict[str, Any]) -> tuple[dict[str, str], str]:
        """Name the version in If-Match or in the body, half the time each."""
        if self.rng.random() < 0.5:
            return {"If-Match": f'"{version}"'}, "if-match"
        body["version"] = version
        return {}, "body"

    def _target(self) -> int:
        """Return one of this client's claims or a shared claim, for a source or a verdict."""
        if self.own and self.rng.random() < 0.5:
            return self.rng.choice(list(self.own))
        return self.rng.choice(self.desk.shared).id

    # What a reviewer does

    def do_create_claim(self, *, valid: bool = True) -> None:
        article = self.rng.choice(self.desk.articles)
        start, end = pick_span(self.rng, self.words[article.id])
        quote = article.text[start:end]
        marker = self.marker("claim")
        attribution = self.rng.choice(Claim.Attribution.values)
        speaker = None if attribution == "author" else self.rng.choice(self.desk.speakers)
        submit = self.rng.random() < 0.3
        body: dict[str, Any] = {
            "article": article.id,
            "start": start,
            "end": end,
            "quote": quote,
            "attribution": attribution,
            "speaker": speaker,
            "kind": self.rng.choice(Claim.Kind.values),
            "restatement": f"Le texte affirme ceci ({marker}) ✓",
            "note": marker,
            "submit": submit,
        }
        if self.rng.random() < 0.3:  # context the client sends must match the text too
            body["prefix"] = article.text[max(0, start - self.rng.randint(1, 32)) : start]
        if not valid:
            # Same length, last character changed: the offsets are right, the quote is not.
            body["quote"] = quote[:-1] + ("x" if quote[-1] != "x" else "y")
        sent = {_API_TO_ORM.get(k, k): v for k, v in body.items() if k not in ("submit", "prefix")}
        sent["status"] = Claim.Status.IN_REVIEW if submit else Claim.Status.DRAFT
        entry, answer = self.call(
            "create_claim" if valid else "create_claim_invalid",
            "POST",
            "/api/claims/",
            json=body,
            marker=marker,
            sent=sent,
        )
        if entry.status == 201 and valid:
            entry.created = entry.claim = answer["id"]
            entry.version = answer["version"]
            self.own[answer["id"]] = OwnClaim(article.id, answer["version"], answer["status"])

    def do_create_claim_invalid(self) -> None:
        self.do_create_claim(valid=False)

    def do_add_source(self, *, valid: bool = True) -> None:
        claim = self._target()
        marker = self.marker("source")
        scheme = "https" if valid else "ftp"
        body = {
            "url": f"{scheme}://{MARKER_HOST}/c{self.account.index}/{marker}",
            "stance": self.rng.choice(Source.Stance.values),
            "title": f"Rapport n° {self.count} — données brutes 📰",
            "excerpt": "« Quelque 1 900 personnes sont parties. »"
            if self.rng.random() < 0.5
            else "",
        }
        entry, answer = self.call(
            "add_source" if valid else "add_source_invalid",
            "POST",
            f"/api/claims/{claim}/sources/",
            json=body,
            claim=claim,
            marker=body["url"],
            sent={**body, "claim_id": claim},
        )
        if entry.status == 201 and valid:
            entry.created = answer["id"]

    def do_add_source_invalid(self) -> None:
        self.do_add_source(valid=False)

    def do_verdict(self) -> None:
        # A shared claim: the desk does not let a claim's author rate it (its own claims).
        claim = self.rng.choice(self.desk.shared).id
        marker = self.marker("verdict")
        body = {
            "rating": self.rng.choice(Verdict.Rating.values),
            "rationale": f"Vérifié auprès de deux sources indépendantes ({marker}) ✓",
        }
        earlier = self.verdicts.get(claim)
        entry, answer = self.call(
            "verdict_replace" if earlier else "verdict_new",
            "POST",
            f"/api/claims/{claim}/verdicts/",
            json=body,
            claim=claim,
            marker=body["rationale"],
            sent={**body, "claim_id": claim},
        )
        if entry.status in (200, 201):
            entry.created = self.verdicts[claim] = answer["id"]

    def do_edit_shared(self) -> None:
        shared = self.rng.choice(self.desk.shared)
        seen = self.seen[shared.id]
        # Most edits start from a fresh read. The others skip it, as a client
        # that kept a page open does: half reuse the last version seen (someone
        # may have changed the claim since), half an older one, which is stale
        # for certain. Either way a stale edit must be refused and change nothing.
        chance = self.rng.random()
        if chance < 0.75:
            entry, answer = self.call(
                "read_claim", "GET", f"/api/claims/{shared.id}/", claim=shared.id
            )
            if entry.status != 200:
                return
            entry.version = answer["version"]
            self._saw_version(shared.id, answer["version"])
            version = seen[-1]
        elif chance < 0.875 or len(seen) == 1:
            version = seen[-1]
        else:
            version = self.rng.choice(seen[:-1])
        self._edit(shared.id, version, "edit_shared")

    def do_edit_denied(self) -> None:
        shared = self.rng.choice(self.desk.shared)
        self._edit(shared.id, self.seen[shared.id][-1], "edit_denied")

    def do_edit_own(self) -> None:
        if not self.own:
            self.do_create_claim()
            return
        claim = self.rng.choice(list(self.own))
        self._edit(claim, self.own[claim].version, "edit_own")

    def _edit(self, claim: int, version: int, kind: str) -> None:
        marker = self.marker("edit")
        changes: dict[str, Any] = {
            "restatement": f"Reformulé : le texte dit autre chose ({marker}) ✎",
            "note": marker,
        }
        if self.rng.random() < 0.3:
            changes["kind"] = self.rng.choice(Claim.Kind.values)
        if kind == "edit_own" and self.rng.random() < 0.2:
            # Move the highlight: the service checks the new span under the article's lock.
            article = self.own[claim].article
            start, end = pick_span(self.rng, self.words[article])
            changes.update(start=start, end=end, quote=self.texts[article][start:end])
        body = dict(changes)
        headers, via = self._version_headers(version, body)
        entry, answer = self.call(
            kind,
            "PATCH",
            f"/api/claims/{claim}/",
            json=body,
            headers=headers,
            claim=claim,
            marker=marker,
            sent=changes,
            based_on=version,
            via=via,
        )
        if entry.status == 200:
            entry.version = answer["version"]
            self._saw_version(claim, answer["version"])
        elif entry.status in (409, 412) and isinstance(answer, dict):
            entry.version = answer.get("current_version")
            if entry.version is not None:
                self._saw_version(claim, entry.version)
        elif kind == "edit_own":
            self.own.pop(claim, None)  # its version is no longer known: leave it alone

    def _saw_version(self, claim: int, version: int) -> None:
        if claim in self.own:
            self.own[claim].version = version
        elif version not in self.seen[claim]:
            self.seen[claim].append(version)
            self.seen[claim].sort()

    def do_submit_own(self) -> None:
        drafts = [pk for pk, own in self.own.items() if own.status == Claim.Status.DRAFT]
        if not drafts:
            self.do_create_claim()
            return
        claim = self.rng.choice(drafts)
        entry, answer = self.call(
            "submit_own",
            "POST",
            f"/api/claims/{claim}/submit/",
            claim=claim,
            based_on=self.own[claim].version,
            sent={"status": Claim.Status.IN_REVIEW},
        )
        if entry.status == 200:
            entry.version = self.own[claim].version = answer["version"]
            self.own[claim].status = answer["status"]
        else:
            self.own.pop(claim, None)

    def do_list_claims(self) -> None:
        article = self.rng.choice(self.desk.articles)
        self.call("list_claims", "GET", f"/api/claims/?article={article.id}&page_size=50")


@dataclass
class Run:
    ledger: list[Entry]
    seconds: float  # from the start of the run to the last answer
    login_seconds: float
    # CPU the clients themselves used (all threads): on a small machine they compete with
    # the server for the same cores, which the figures should admit.
    client_cpu_seconds: float = 0.0
    stopped_early: str = ""  # why the run ended before its deadline, if it did


class LoginFailed(RuntimeError):
    pass


def run_clients(
    base_url: str,
    desk: Desk,
    *,
    seconds: float,
    seed: int,
    tick: Callable[[float, int], None] | None = None,
    alive: Callable[[], None] | None = None,
) -> Run:
    """Log every client in, let them work until ``seconds`` have passed, return the ledger.

    ``tick(elapsed, requests)`` is called about four times a second (for a
    progress bar); ``alive()`` too, and should raise if the server has died.
    """
    if urlsplit(base_url).hostname != HOST:
        raise ValueError(f"The load test sends traffic to {HOST} only, not to {base_url}.")
    sessions = [Client(base_url, timeout=REQUEST_TIMEOUT) for _ in desk.accounts]
    login_began = time.perf_counter()
    _log_in(sessions, desk)
    login_seconds = time.perf_counter() - login_began

    origin = time.monotonic()
    cpu_at_start = time.process_time()
    deadline = origin + seconds
    stop = threading.Event()
    clients = [
        LoadClient(account, desk, session, seed=seed, origin=origin)
        for account, session in zip(desk.accounts, sessions, strict=True)
    ]
    threads = [
        threading.Thread(target=c.run, args=(deadline, stop), name=f"load-{c.account.index}")
        for c in clients
    ]
    for thread in threads:
        thread.start()
    stopped_early = ""
    try:
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.25)
            if tick is not None:
                tick(time.monotonic() - origin, sum(len(c.ledger) for c in clients))
            if alive is not None and not stop.is_set():
                try:
                    alive()
                except Exception as exc:
                    stopped_early = str(exc)
                    stop.set()
            if stop.is_set() and not stopped_early:
                stopped_early = "a client failed (see the ledger)"
    finally:
        stop.set()  # on Ctrl-C too: the clients finish the request they are in and stop
        for thread in threads:
            thread.join()
    ledger = [entry for c in clients for entry in c.ledger]
    last = max((e.started + e.seconds for e in ledger), default=0.0)
    cpu = time.process_time() - cpu_at_start
    return Run(ledger, last, login_seconds, cpu, stopped_early)


def _log_in(sessions: Sequence[Client], desk: Desk) -> None:
    """Log every client in through the login form, all at once (each login hashes a password)."""
    errors: list[str] = []

    def log_in(session: Client, account: Account) -> None:
        try:
            session.login(account.username, desk.password)
        except Exception as exc:
            errors.append(f"{account.username}: {exc}")

    threads = [
        threading.Thread(target=log_in, args=(session, account))
        for session, account in zip(sessions, desk.accounts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise LoginFailed("Logging in failed for " + "; ".join(sorted(errors)))
