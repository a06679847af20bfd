"""evaluate_suggestions: the gold files meet the targets, and bad gold files are refused."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.suggestions.evaluate import read_gold, register_from_gold, score, total

GOLD = sorted(Path("fixtures/gold").glob("*.json"))


def test_there_are_gold_files_of_several_styles() -> None:
    styles = {json.loads(path.read_text(encoding="utf-8"))["style"] for path in GOLD}
    assert len(GOLD) >= 6
    assert {
        "wire copy",
        "direct quotes",
        "speech transcript",
        "report citing a monitor group",
        "court report",
    } <= styles


def test_the_gold_files_meet_the_targets() -> None:
    scores = []
    for path in GOLD:
        data = read_gold(json.loads(path.read_text(encoding="utf-8")))
        scores.append(
            score(path.name, data["text"], data["claims"], register_from_gold(data["register"]))
        )
    overall = total(scores)
    assert overall.recall >= 0.9
    assert overall.per_claim <= 2
    assert overall.speaker_accuracy >= 0.8
    # Not one style carried by the others.
    for row in scores:
        assert row.recall >= 0.8, row
        assert row.speaker_accuracy >= 0.7, row


@pytest.mark.django_db
def test_the_command_prints_a_row_per_file_and_the_total() -> None:
    out = StringIO()
    call_command("evaluate_suggestions", *map(str, GOLD), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "gold",
        "file",
        "claims",
        "recall",
        "per",
        "claim",
        "speaker",
        "kind",
    ]
    assert [line.split()[0] for line in lines[1:]] == [p.name for p in GOLD] + ["all"]


@pytest.mark.django_db
def test_an_article_id_and_the_sites_register(article, tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    quote = article.text.split(".")[0]
    gold.write_text(
        json.dumps({"article": article.pk, "claims": [{"quote": quote, "kind": "event"}]})
    )
    out = StringIO()
    call_command("evaluate_suggestions", str(gold), stdout=out)
    assert out.getvalue().splitlines()[1].split()[:2] == ["gold.json", "1"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "a gold file is a JSON object"),
        ('{"claims": [{"quote": "x", "kind": "event"}]}', '"text"'),
        ('{"text": "a b c", "claims": []}', '"claims"'),
        ('{"text": "a b c", "claims": [{"quote": "a", "kind": "rumour"}]}', '"kind"'),
        ('{"text": "a b c", "claims": [{"quote": "zzz", "kind": "event"}]}', "not in the text"),
        ("{", "Expecting"),
    ],
)
@pytest.mark.django_db
def test_a_bad_gold_file_is_refused_with_the_reason(
    tmp_path: Path, content: str, problem: str
) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(content)
    with pytest.raises(CommandError, match=problem):
        call_command("evaluate_suggestions", str(gold))


@pytest.mark.django_db
def test_an_unknown_article_is_refused(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text('{"article": 999999, "claims": [{"quote": "x", "kind": "event"}]}')
    with pytest.raises(CommandError, match="no article 999999"):
        call_command("evaluate_suggestions", str(gold))
