"""Who may do what: the groups' rights, and the object rules every write path applies."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from annotations import permissions, services
from annotations.models import Article, Claim, Source, Speaker, Verdict

from .factories import give_verdict, make_claim, make_claim_in_review, verify

PHRASE = "some 2250 people"
UN_URL = "https://news.un.org/en/story/2014/02/homs"

REVIEWER_RIGHTS = {
    "view_article",
    "view_speaker",
    "add_speaker",
    "view_speakeralias",
    "view_claim",
    "add_claim",
    "change_claim",
    "delete_claim",
    "view_source",
    "add_source",
    "change_source",
    "delete_source",
    "view_verdict",
    "add_verdict",
    "change_verdict",
    "import_article",
    "view_side",
    "view_suggestiondismissal",
    "add_suggestiondismissal",
}
MODERATOR_RIGHTS = REVIEWER_RIGHTS | {
    "add_article",
    "change_article",
    "change_speaker",
    "moderate_claim",
    "view_historicalarticle",
    "view_historicalspeaker",
    "view_historicalspeakeralias",
    "view_historicalclaim",
    "view_historicalsource",
    "view_historicalverdict",
    "add_side",
    "change_side",
    "view_historicalside",
    "merge_speaker",
}


@pytest.fixture
def draft(alice, article) -> Claim:
    return make_claim(user=alice, article=article, phrase=PHRASE, restatement="2250 left.")


@pytest.fixture
def in_review(alice, article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase=PHRASE)


@pytest.fixture
def verified(in_review, bob, morgan) -> Claim:
    return verify(in_review, moderator=morgan, verdict=give_verdict(in_review, bob))


@pytest.fixture
def rejected(in_review, morgan) -> Claim:
    return services.claim_reject(claim=in_review, user=morgan, reason="Not checkable.")


@pytest.fixture
def alices_source(in_review, alice) -> Source:
    return services.source_add(claim=in_review, user=alice, url=UN_URL, stance="supports")


def version_of(claim: Claim) -> int:
    return Claim.objects.values_list("version", flat=True).get(pk=claim.pk)


# The groups ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "rights"),
    [("Reviewers", REVIEWER_RIGHTS), ("Moderators", MODERATOR_RIGHTS)],
)
def test_the_group_exists_with_its_rights(db, group, rights):
    codenames = set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    assert codenames == rights


def test_reviewers_may_not_moderate_or_manage_articles(alice):
    assert not alice.has_perm("annotations.moderate_claim")
    assert not alice.has_perm("annotations.add_article")
    assert not alice.has_perm("annotations.change_speaker")
    assert not alice.has_perm("annotations.delete_verdict")


def test_nobody_may_delete_articles_speakers_or_verdicts(morgan):
    for codename in ("delete_article", "delete_speaker", "delete_verdict"):
        assert not morgan.has_perm(f"annotations.{codename}")


def test_the_outsider_has_no_rights(charlie):
    assert not any(p.startswith("annotations.") for p in charlie.get_all_permissions())


def test_an_inactive_moderator_is_not_a_moderator(morgan):
    morgan.is_active = False

    assert not permissions.is_moderator(morgan)
    assert not permissions.can_create_claim(morgan)


# Claims --------------------------------------------------------------------


def test_a_reviewer_may_create_a_claim(bob, article):
    claim = make_claim(user=bob, article=article, phrase=PHRASE)

    assert claim.created_by == bob


def test_the_outsider_may_not_create_a_claim(charlie, article):
    with pytest.raises(PermissionDenied):
        make_claim(user=charlie, article=article, phrase=PHRASE)

    assert not Claim.objects.exists()


def test_the_author_may_edit_her_claim(alice, draft):
    services.claim_update(claim=draft, user=alice, note="Mine.")

    assert version_of(draft) == 2


def test_another_reviewer_may_not_edit_the_claim(bob, draft):
    with pytest.raises(PermissionDenied, match="your own claims"):
        services.claim_update(claim=draft, user=bob, note="Not mine.")

    assert version_of(draft) == 1


def test_a_moderator_may_edit_anyones_claim(morgan, in_review):
    services.claim_update(claim=in_review, user=morgan, note="Moderator's note.")

    assert version_of(in_review) == 2


def test_the_outsider_may_not_edit_a_claim(charlie, draft):
    with pytest.raises(PermissionDenied):
        services.claim_update(claim=draft, user=charlie, note="Hi.")

    assert version_of(draft) == 1


@pytest.mark.parametrize("closed", ["verified", "rejected"])
@pytest.mark.parametrize("editor", ["alice", "morgan"])
def test_nobody_may_edit_a_closed_claim(request, closed, editor):
    claim = request.getfixturevalue(closed)
    user = request.getfixturevalue(editor)
    version = version_of(claim)

    with pytest.raises(PermissionDenied, match=f"This claim is {closed}"):
        services.claim_update(claim=claim, user=user, note="Too late.")

    assert version_of(claim) == version


def test_the_author_may_submit_her_draft(alice, draft):
    services.claim_submit(claim=draft, user=alice)

    assert Claim.objects.get(pk=draft.pk).status == Claim.Status.IN_REVIEW


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_others_may_not_submit_the_draft(request, draft, user):
    with pytest.raises(PermissionDenied):
        services.claim_submit(claim=draft, user=request.getfixturevalue(user))

    assert Claim.objects.get(pk=draft.pk).status == Claim.Status.DRAFT


def test_the_author_may_delete_her_draft(alice, draft):
    services.claim_delete(claim=draft, user=alice)

    assert not Claim.objects.exists()


@pytest.mark.parametrize("user", ["bob", "morgan", "charlie"])
def test_only_the_author_may_delete_a_draft(request, draft, user):
    with pytest.raises(PermissionDenied):
        services.claim_delete(claim=draft, user=request.getfixturevalue(user))

    assert Claim.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("status", ["in_review", "verified", "rejected"])
def test_nobody_may_delete_a_submitted_claim(request, alice, status):
    claim = request.getfixturevalue(status)

    with pytest.raises(PermissionDenied):
        services.claim_delete(claim=claim, user=alice)

    assert Claim.objects.filter(pk=claim.pk).exists()


# Moderation ----------------------------------------------------------------


@pytest.mark.parametrize("user", ["alice", "bob", "charlie"])
def test_only_moderators_may_verify(request, bob, in_review, user):
    verdict = give_verdict(in_review, bob)

    with pytest.raises(PermissionDenied, match="Only moderators"):
        services.claim_verify(claim=in_review, user=request.getfixturevalue(user), verdict=verdict)

    assert Claim.objects.get(pk=in_review.pk).status == Claim.Status.IN_REVIEW


@pytest.mark.parametrize("user", ["alice", "bob", "charlie"])
def test_only_moderators_may_reject(request, in_review, user):
    with pytest.raises(PermissionDenied, match="Only moderators"):
        services.claim_reject(claim=in_review, user=request.getfixturevalue(user), reason="No.")

    assert Claim.objects.get(pk=in_review.pk).status == Claim.Status.IN_REVIEW


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_only_moderators_may_reopen(request, verified, user):
    with pytest.raises(PermissionDenied):
        services.claim_reopen(claim=verified, user=request.getfixturevalue(user), reason="Again.")

    assert Claim.objects.get(pk=verified.pk).status == Claim.Status.VERIFIED


def test_reviewers_may_not_verify_or_reject_in_bulk(alice, bob, in_review):
    verdict = give_verdict(in_review, bob)

    with pytest.raises(PermissionDenied):
        services.claims_verify(user=bob, decisions=[(in_review, verdict)])
    with pytest.raises(PermissionDenied):
        services.claims_reject(user=bob, claims=[in_review], reason="No.")

    assert Claim.objects.get(pk=in_review.pk).status == Claim.Status.IN_REVIEW


# Sources -------------------------------------------------------------------


@pytest.mark.parametrize("user", ["alice", "bob", "morgan"])
def test_anyone_in_a_group_may_add_a_source(request, in_review, user):
    adder = request.getfixturevalue(user)

    source = services.source_add(claim=in_review, user=adder, url=UN_URL, stance="supports")

    assert source.added_by == adder


def test_the_outsider_may_not_add_a_source(charlie, in_review):
    with pytest.raises(PermissionDenied):
        services.source_add(claim=in_review, user=charlie, url=UN_URL, stance="supports")

    assert not Source.objects.exists()


@pytest.mark.parametrize("user", ["alice", "morgan"])
def test_the_adder_or_a_moderator_may_change_a_source(request, alices_source, user):
    services.source_update(source=alices_source, user=request.getfixturevalue(user), title="New")

    assert Source.objects.get(pk=alices_source.pk).title == "New"


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_others_may_not_change_a_source(request, alices_source, user):
    with pytest.raises(PermissionDenied):
        services.source_update(source=alices_source, user=request.getfixturevalue(user), title="X")

    assert Source.objects.get(pk=alices_source.pk).title == ""


@pytest.mark.parametrize("user", ["alice", "morgan"])
def test_the_adder_or_a_moderator_may_remove_a_source(request, alices_source, user):
    services.source_remove(source=alices_source, user=request.getfixturevalue(user))

    assert not Source.objects.exists()


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_others_may_not_remove_a_source(request, alices_source, user):
    with pytest.raises(PermissionDenied):
        services.source_remove(source=alices_source, user=request.getfixturevalue(user))

    assert Source.objects.filter(pk=alices_source.pk).exists()


@pytest.mark.parametrize("user", ["alice", "morgan"])
def test_nobody_may_change_or_remove_the_sources_of_a_closed_claim(
    request, alices_source, morgan, user
):
    services.claim_reject(claim=alices_source.claim, user=morgan, reason="Not checkable.")
    actor = request.getfixturevalue(user)

    with pytest.raises(PermissionDenied):
        services.source_update(source=alices_source, user=actor, title="Late")
    with pytest.raises(PermissionDenied):
        services.source_remove(source=alices_source, user=actor)

    assert Source.objects.get(pk=alices_source.pk).title == ""


# Verdicts ------------------------------------------------------------------


@pytest.mark.parametrize("user", ["bob", "morgan"])  # alice wrote it (tests/test_desk_rules.py)
def test_reviewers_and_moderators_may_give_verdicts(request, in_review, user):
    verdict = give_verdict(in_review, request.getfixturevalue(user))

    assert verdict.reviewer.username == user


def test_the_outsider_may_not_give_a_verdict(charlie, in_review):
    with pytest.raises(PermissionDenied):
        give_verdict(in_review, charlie)

    assert not Verdict.objects.exists()


@pytest.mark.parametrize("user", ["alice", "morgan"])
def test_nobody_may_give_a_verdict_on_a_rejected_claim(request, rejected, user):
    with pytest.raises(PermissionDenied):
        give_verdict(rejected, request.getfixturevalue(user))

    assert not Verdict.objects.exists()


# Speakers and articles -----------------------------------------------------


def test_a_reviewer_may_add_a_speaker(alice):
    speaker = services.speaker_create(user=alice, name="Rebels", kind=Speaker.Kind.UNNAMED)

    assert speaker.created_by == alice


def test_the_outsider_may_not_add_a_speaker(charlie):
    with pytest.raises(PermissionDenied):
        services.speaker_create(user=charlie, name="Rebels", kind=Speaker.Kind.UNNAMED)

    assert not Speaker.objects.exists()


def test_a_reviewer_may_not_change_a_speaker(alice, opposition):
    with pytest.raises(PermissionDenied):
        services.speaker_update(speaker=opposition, user=alice, name="Rebels")

    assert Speaker.objects.get(pk=opposition.pk).name == "Opposition sources"


def test_a_moderator_may_change_a_speaker(morgan, opposition):
    services.speaker_update(speaker=opposition, user=morgan, name="Rebels")

    assert Speaker.objects.get(pk=opposition.pk).name == "Rebels"


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_only_moderators_may_add_articles(request, user):
    with pytest.raises(PermissionDenied):
        services.article_create(user=request.getfixturevalue(user), text="Some text.")

    assert not Article.objects.exists()


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_only_moderators_may_change_articles(request, article, user):
    with pytest.raises(PermissionDenied):
        services.article_update(article=article, user=request.getfixturevalue(user), title="X")

    assert Article.objects.get(pk=article.pk).title == article.title


def test_a_moderator_may_add_and_change_articles(morgan):
    article = services.article_create(user=morgan, text="Some text.")
    services.article_update(article=article, user=morgan, title="Titled")

    assert Article.objects.get(pk=article.pk).title == "Titled"
