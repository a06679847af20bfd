"""Factories for test data; claims are made through the write path so they obey its rules."""

from typing import Any

import factory
from django.contrib.auth.models import Group, User

from annotations import names, services
from annotations.models import Article, Claim, Speaker, Verdict

ARTICLE_TEXT = (
    "The deal over the Old City of Homs, under total blockade since June 2012, will see "
    "some 2250 people, mostly fighters, evacuate the flashpoint city in central Syria.\n"
    'But regime representatives said it was an "arrangement" rather than a deal.'
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.example")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    text = ARTICLE_TEXT
    text_sha256 = factory.LazyAttribute(lambda a: services.text_sha256(a.text))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    # The keys as the services set them (annotations.names).
    name_key = factory.LazyAttribute(lambda s: names.name_key(s.name))
    bare_key = factory.LazyAttribute(lambda s: names.bare_key(s.name))
    kind = Speaker.Kind.UNNAMED
    side_id = Speaker.Side.OPPOSITION


def make_claim(
    *, user: User, article: Article, phrase: str, occurrence: int = 0, **fields: Any
) -> Claim:
    """Create a claim on the given phrase of the article, through claim_create."""
    start = -1
    for _ in range(occurrence + 1):
        start = article.text.index(phrase, start + 1)
    fields.setdefault("attribution", Claim.Attribution.AUTHOR)
    return services.claim_create(
        user=user, article=article, start=start, end=start + len(phrase), quote=phrase, **fields
    )


def make_claim_in_review(*, user: User, article: Article, phrase: str, **fields: Any) -> Claim:
    fields.setdefault("restatement", f"The article says: {phrase}")
    return make_claim(user=user, article=article, phrase=phrase, submit=True, **fields)


def give_verdict(claim: Claim, user: User, rating: str = Verdict.Rating.MOSTLY_TRUE) -> Verdict:
    return services.verdict_give(
        claim=claim, user=user, rating=rating, rationale=f"{user.username} checked the record."
    )


def verify(claim: Claim, *, moderator: User, verdict: Verdict) -> Claim:
    """Publish ``verdict``, the moderator rating the claim too if the quorum needs one more.

    The desk verifies a claim on two reviewers' verdicts (FACTCHECK_VERDICT_QUORUM).
    """
    given = Verdict.objects.filter(claim=claim)
    if given.count() < 2 and not given.filter(reviewer=moderator).exists():
        give_verdict(claim, moderator, verdict.rating)
    return services.claim_verify(claim=claim, user=moderator, verdict=verdict)
