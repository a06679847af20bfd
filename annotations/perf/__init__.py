"""Measuring the site from outside, for ``manage.py bench`` and ``manage.py loadtest``.

- ``scratch``: a database of the run's own, migrated, dropped afterwards;
- ``server``: gunicorn on 127.0.0.1 with production settings, its workers' memory,
  and the Server-Timing figures each response carries;
- ``http``: a client with cookies, CSRF, login through the form, and API tokens;
- ``stats``: latency percentiles.

Nothing here runs while the site serves requests.
"""
