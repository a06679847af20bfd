"""manage.py bench_suggestions: the generated article and register, and what it prints."""

import re
from io import StringIO

from django.core.management import call_command

from perfkit.management.commands.bench_suggestions import generated_article, generated_register


def test_the_article_has_the_words_asked_for_from_every_style() -> None:
    text = generated_article(5_000)
    assert 5_000 <= len(text.split()) < 5_600
    assert "PRIME MINISTER ADEYEMI:" in text  # the transcript
    assert "Syrian Observatory" in text  # the monitor's report
    assert generated_article(5_000) == text  # the same article every run


def test_the_register_has_names_and_aliases_per_speaker() -> None:
    register = generated_register(5)
    assert len(register) == 15
    assert {speaker_id for speaker_id, *_ in register} == {1, 2, 3, 4, 5}


def test_it_prints_the_article_and_the_times() -> None:
    out = StringIO()
    call_command("bench_suggestions", "--words", "300", "--runs", "2", stdout=out)
    first, second, third = out.getvalue().splitlines()
    assert re.match(
        r"\d+ words, [\d,]+ characters, 900 register names \(300 speakers\): \d+ sugg", first
    )
    assert re.match(
        r"suggest: first run \d+ ms; median \d+ ms, slowest \d+ ms over 1 more runs", second
    )
    assert re.match(r"CPU time: median \d+ ms, slowest \d+ ms", third)
