"""A synthetic corpus for the benchmark: the same articles, speakers and claims for the same seed.

Each article is drawn from its own ``random.Random`` (seeded from the run's
seed and the article's number), so an article is the same whether the corpus
is built in one go or in steps, and whatever was built before it. The words
come from a fixed vocabulary with accented letters, a combining accent and
emoji (some of two code points), so every offset is exercised in code points.

The rows are bulk-inserted, not written through ``annotations.services``: a
hundred thousand claims with their verdicts and sources through the write path
would take an hour or more and fill the history tables, which nothing measured
reads. Every rule the write path checks is kept instead: the quote is the text
at its offsets, prefix and suffix are the ``CONTEXT_CHARS`` around it, the cue
is the text at its span, a speaker unless the article's own voice, a
restatement once submitted, verified claims publish one of their own verdicts
and say who moderated them and when, rejected ones say why.
``checks.check_invariants`` then checks every row against these rules, so that
a mistake here fails the run instead of skewing it.

- ``plan``: what to insert, drawn from the seed, with no database;
- ``build``: inserting it, in steps that keep it reproducible;
- ``checks``: every rule the write path keeps, counted in the database.
"""
