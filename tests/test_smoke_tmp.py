from annotations.models import Claim

from .factories import give_verdict, make_claim_in_review


def test_tmp(alice, bob, morgan, article, opposition):
    c = make_claim_in_review(user=alice, article=article, phrase="some 2250 people", speaker=opposition, attribution=Claim.Attribution.REPORTED_SPEECH)
    assert c.prefix.endswith("will see ") and c.suffix.startswith(", mostly")
    v = give_verdict(c, bob)
    from annotations import services
    services.claim_verify(claim=c, user=morgan, verdict=v)
    c.refresh_from_db()
    assert c.status == "verified"
    assert c.history.first().history_user == morgan
