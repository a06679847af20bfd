"""Development tools: measuring the site from outside, for ``manage.py bench`` and ``loadtest``.

An app of its own that production does not install: settings add it (and its
Server-Timing middleware) only with FACTCHECK_DEV_TOOLS on, which ``make test``,
``make bench`` and ``make loadtest`` set. It needs the development requirements
(psutil) and nothing of the site imports it.

- ``middleware``: the Server-Timing header, what a request cost the server;
- ``scratch``: a database of the run's own, migrated, dropped afterwards;
- ``server``: gunicorn on 127.0.0.1 with the production settings (gunicorn.conf.py),
  its workers' memory, and the Server-Timing figures each response carries;
- ``http``: a client with cookies, CSRF, login through the form, and API tokens;
- ``stats``: latency percentiles;
- ``corpus``: the benchmark's synthetic corpus; ``bench``: the benchmark;
- ``load``: the load test's clients and its integrity checks;
- ``management/commands``: ``bench``, ``loadtest`` and ``bench_article_page``.
"""
