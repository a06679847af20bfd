"""The desk a load test works on: articles, speakers, reviewers and shared claims."""

import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction

from annotations import services
from annotations.models import Article, Claim, Source, Speaker, Verdict

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
# The fields a claim's check compares, as the ORM names them: on purpose only those the
# load test writes, a part of what shapes.CLAIM_FIELDS reads (test_claim_field_lists).
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


def claim_values(claim_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
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
    values = claim_values(made)
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
