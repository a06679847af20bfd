"""The load test: reviewers writing through the API at once, and a check of what was stored.

Each client is a thread that logs in through the login form as its own
reviewer and, until the deadline, creates claims, adds sources, gives
verdicts and edits claims, choosing by seeded weights. Every request goes
into a ledger: what was asked, what the API answered, how long it took, and
for a write, what was sent and which row or version came back. Every write
carries a marker of its own (a claim's note, a source's URL, a verdict's
rationale), so that a refused one can be looked for afterwards.

The desk's rules shape the traffic: a reviewer edits only their own claims,
moderators any open claim. So every second client is also a moderator (an
"editor"): the editors race on the shared claims, the other reviewers' edits
of them must be refused (403), and nobody but its author touches a claim a
client made, so every edit of one's own claim must succeed.

When the clients have stopped, ``check_integrity`` reads the database: every
write answered with success is stored as sent, no refused write left a trace,
nothing was written that no answer admitted, no edit was lost (the versions
of the successful edits of a claim follow each other and its fields are those
the last edit wrote), each write has its history record, and no request got a
server error.
"""

import http.client
import random
import re
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction

from annotations import services
from annotations.models import Article, Claim, Source, Speaker, Verdict

from .http import Client
from .server import HOST, server_timing

# The article written for the test: accented letters, combining marks, emoji
# (flags, skin tones, a family joined by zero-width joiners) between words, so
# that offsets in code points and JSON's \u escapes are exercised on every write.
LOAD_ARTICLE_TITLE = "Homs : le café de Bab Hûd rouvre 🇸🇾"
LOAD_ARTICLE_TEXT = (
    "Au café de Bab Hûd, à Homs 🇸🇾, les habitués sont revenus dimanche : « Nous avons "
    "attendu deux ans », dit Umm Khaled, 63 ans, en servant le thé ☕.\n"
    "Selon l'Observatoire syrien, quelque 1 900 combattants ont quitté la Vieille Ville "
    "après l'accord négocié sous l'égide de l'ONU 🇺🇳 ; le gouverneur Talal al-Barazi a "
    "parlé d'une « réconciliation » et non d'une reddition.\n"
    "Des familles entières 👨\u200d👩\u200d👧 ont franchi le point de passage de Bustan "
    "al-Diwan, d'après un volontaire du Croissant-Rouge 👍🏽 qui a requis l'anonymat.\n"
    "Le père Frans, resté dans le quartier jusqu'à sa mort en avril, avait décrit une "
    "faim « pire que la peur » ; ses voisins affirment que 60 % des maisons sont "
    "inhabitables.\n"
    "L'opposition dit que l'échange inclut la libération de prisonniers iraniens et "
    "libanais ; Damas n'a pas confirmé ce point, et l'ambassadeur d'Iran s'est tu.\n"
    "Cafe\u0301, cre\u0300me, naïve, Ærø, Øresund, straße : les mots importés de la "
    "diaspora 😀 reviennent sur les enseignes repeintes à la hâte."
)
LOAD_SPEAKERS = (
    ("Umm Khaled", Speaker.Kind.PERSON, Speaker.Side.UNKNOWN),
    ("Talal al-Barazi", Speaker.Kind.PERSON, Speaker.Side.GOVERNMENT),
    ("Croissant-Rouge arabe syrien", Speaker.Kind.ORGANISATION, Speaker.Side.INDEPENDENT_MONITOR),
)
SEED_FIXTURE = "homs_article"
MARKER_HOST = "load.test"  # never resolved: sources are rows, nobody fetches them
REQUEST_TIMEOUT = 60.0  # seconds; a request slower than this counts as a failed connection
MAX_CONNECTION_ERRORS = 3  # in a row, after which a client stops: the server is gone
CLIENT_FAILED = "-"  # the method of a ledger entry for an error in the client itself

# What the API may answer to each kind of request the clients make.
EXPECTED: dict[str, frozenset[int]] = {
    "create_claim": frozenset({201}),
    "create_claim_invalid": frozenset({400}),  # a quote that is not the text at its offsets
    "add_source": frozenset({201}),
    "add_source_invalid": frozenset({400}),  # an ftp:// address
    "verdict_new": frozenset({201}),
    "verdict_replace": frozenset({200}),  # one verdict per reviewer per claim: POST replaces
    "read_claim": frozenset({200}),
    "list_claims": frozenset({200}),
    "edit_shared": frozenset({200, 409, 412}),  # an editor's edit, current or stale
    "edit_denied": frozenset({403}),  # a plain reviewer's edit of someone else's claim
    "edit_own": frozenset({200}),  # nobody else edits a client's own claims: never stale
    "submit_own": frozenset({200}),
}
# The 400s must name the field at fault.
REFUSED_FIELD = {"create_claim_invalid": "quote", "add_source_invalid": "url"}
EDITS = ("edit_shared", "edit_own", "edit_denied")
VERSION_BUMPS = ("edit_shared", "edit_own", "submit_own")
VERDICTS = ("verdict_new", "verdict_replace")
# The fields a claim's check compares, as the ORM names them.
CLAIM_VALUES = (
    "article_id",
    "start",
    "end",
    "quote",
    "restatement",
    "kind",
    "speaker_id",
    "attribution",
    "note",
    "status",
)
# API field → ORM field, for what the clients send.
_API_TO_ORM = {"article": "article_id", "speaker": "speaker_id"}


# The desk the clients work on ------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A client's reviewer; editors are moderators too, so they may edit any open claim."""

    index: int
    username: str
    user_id: int
    editor: bool


@dataclass(frozen=True)
class ArticleText:
    id: int
    text: str


@dataclass(frozen=True)
class SharedClaim:
    """A claim in review that every client works on, as it stood before the run."""

    id: int
    version: int
    author_id: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Desk:
    password: str
    accounts: tuple[Account, ...]
    articles: tuple[ArticleText, ...]
    speakers: tuple[int, ...]
    shared: tuple[SharedClaim, ...]
    # What existed before the run, so that anything else must come from an answered write.
    claims_before: frozenset[int]
    sources_before: frozenset[int]
    verdicts_before: frozenset[int]

    @property
    def editors(self) -> int:
        return sum(account.editor for account in self.accounts)


def _claim_values(claim_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    rows = Claim.objects.filter(pk__in=list(claim_ids)).values(
        "id", "version", "created_by_id", *CLAIM_VALUES
    )
    return {row["id"]: row for row in rows}


@transaction.atomic
def setup_desk(*, clients: int, shared_claims: int, seed: int) -> Desk:
    """Make the articles, speakers, reviewers and shared claims of a run, through the services.

    Every reviewer gets the same random password, hashed once: hashing it per
    user would cost a second of setup per client and measure nothing.
    """
    rng = random.Random(f"load-setup-{seed}")  # noqa: S311 (repeatable traffic, no secret)
    call_command("loaddata", SEED_FIXTURE, verbosity=0)
    services.article_create(
        user=None,
        text=LOAD_ARTICLE_TEXT,
        title=LOAD_ARTICLE_TITLE,
        outlet="Dépêche de test",
        language="fr",
    )
    for name, kind, side in LOAD_SPEAKERS:
        services.speaker_create(user=None, name=name, kind=kind, side=side)

    password = secrets.token_urlsafe(16)
    hashed = make_password(password)
    users = User.objects.bulk_create(
        User(username=f"load-{index:03d}", first_name=f"Relecteur {index}", password=hashed)
        for index in range(clients)
    )
    author = User.objects.create(username="load-desk", first_name="Rédaction", password=hashed)
    Group.objects.get(name="Reviewers").user_set.add(*users, author)
    editors = [user for index, user in enumerate(users) if index % 2 == 0]
    Group.objects.get(name="Moderators").user_set.add(*editors)

    articles = tuple(ArticleText(a.pk, a.text) for a in Article.objects.order_by("pk"))
    speakers = tuple(Speaker.objects.order_by("pk").values_list("pk", flat=True))
    made = []
    taken: set[tuple[int, int, int]] = set()
    while len(made) < shared_claims:
        article = articles[len(made) % len(articles)]
        start, end = pick_span(rng, words_of(article.text))
        if (article.id, start, end) in taken:
            continue
        taken.add((article.id, start, end))
        number = len(made) + 1
        speaker = Speaker.objects.get(pk=rng.choice(speakers))
        made.append(
            services.claim_create(
                user=author,
                article=Article.objects.get(pk=article.id),
                start=start,
                end=end,
                quote=article.text[start:end],
                attribution=Claim.Attribution.REPORTED_SPEECH,
                speaker=speaker,
                restatement=f"Affirmation partagée n° {number} : à vérifier ✓",
                kind=rng.choice(Claim.Kind.values),
                note=f"load-shared-{number}",
                submit=True,
            ).pk
        )
    values = _claim_values(made)
    shared = tuple(
        SharedClaim(
            id=pk,
            version=values[pk]["version"],
            author_id=values[pk]["created_by_id"],
            values={name: values[pk][name] for name in CLAIM_VALUES},
        )
        for pk in made
    )
    return Desk(
        password=password,
        accounts=tuple(
            Account(index, user.username, user.pk, editor=index % 2 == 0)
            for index, user in enumerate(users)
        ),
        articles=articles,
        speakers=speakers,
        shared=shared,
        claims_before=frozenset(Claim.objects.values_list("pk", flat=True)),
        sources_before=frozenset(Source.objects.values_list("pk", flat=True)),
        verdicts_before=frozenset(Verdict.objects.values_list("pk", flat=True)),
    )


def words_of(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each run of non-space characters, in code points."""
    return [match.span() for match in re.finditer(r"\S+", text)]


def pick_span(rng: random.Random, words: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Return a span of one to eight whole words: never empty, never only white space."""
    first = rng.randrange(len(words))
    last = min(len(words) - 1, first + rng.randint(0, 7))
    return words[first][0], words[last][1]


# The ledger -------------------------------------------------------------------


@dataclass
class Entry:
    """One request a client made and what the API answered."""

    client: int
    seq: int  # the client's own count: its requests happen one after another in this order
    kind: str
    method: str
    path: str
    started: float  # seconds after the run began
    seconds: float = 0.0
    status: int | None = None  # None: no answer (connection refused, reset, timed out)
    error: str = ""
    claim: int | None = None  # the claim the request was about
    marker: str = ""  # what a write carried that identifies it
    sent: dict[str, Any] = field(default_factory=dict)  # the values written, in the ORM's names
    created: int | None = None  # the id of the row a write made or replaced
    based_on: int | None = None  # the version an edit or a submit started from
    version: int | None = None  # the claim's version in a success; the current one in a 409/412
    via: str = ""  # how an edit named its version: "if-match" or "body"
    fields: tuple[str, ...] = ()  # the fields a 400 named
    timing: dict[str, float | int] | None = None  # the server's Server-Timing figures

    def describe(self) -> str:
        answer = f"answered {self.status}" if self.status is not None else f"failed ({self.error})"
        about = f" (marker {self.marker})" if self.marker else ""
        return f"{self.kind} by client {self.client}: {self.method} {self.path} {answer}{about}"


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
        claim = self._target()
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


# A run ------------------------------------------------------------------------


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


# The checks -------------------------------------------------------------------


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
    db_claims = _claim_values(claims)
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
