"""Suggested claims: what in an article is worth checking, and who says it.

``segment`` cuts the text into sentences, ``attribution`` finds who says each
statement (after PARC: source, cue, content), ``kinds`` says what makes it
checkable, ``speakers`` names the speakers and matches them to the register,
and ``engine.suggest`` puts it together. All of it is pure Python; only
``register`` (the register's names) and ``store`` (the cache) touch Django.
``evaluate`` measures the suggestions against gold files.
"""
