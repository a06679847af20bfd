"""The benchmark: a reproducible corpus, then the site measured through a real server over HTTP.

``measure.run`` makes a scratch database, builds the synthetic corpus in it
(``perfkit.corpus``) and measures, with gunicorn on 127.0.0.1:

- creating claims one request at a time (POST /api/claims/) on one long article;
- listing that article's claims through the API, page after page;
- the reviewers' article page with those claims, and with ten, for its query count;
- the full export of the verified claims in every format, at each export size,
  with the workers' peak resident memory while they stream.

The corpus grows between measurements: the exports are measured when the
number of verified claims first equals each export size (the main corpus has
only its share verified, so the larger sizes come from articles added after it
whose claims are all verified). Every figure says how large the corpus was.

The figures go into one JSON-ready document (``measure.run`` returns it) with the
machine, the parameters and the targets; ``report.render_table`` prints it
for people.

- ``parameters``: what to build and measure, and the targets the figures are held to;
- ``measure``: the run itself;
- ``report``: the table for people.
"""
