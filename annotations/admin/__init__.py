"""The moderators' desk: Django's admin over the annotations.

Only staff reach it. Every write goes through ``annotations.services``: the
model forms check their changes with a service's ``check_*`` function and
hand them to the service (``forms``), the bulk actions check every claim and
then call the services in one transaction (``actions``), and the admin's own
ways around them (adding claims, deleting anything, reverting history) are
off (``base``). Importing this package registers every model on the desk, as
the admin's autodiscovery expects.
"""

from . import articles, claims, evidence, speakers

__all__ = ["articles", "claims", "evidence", "speakers"]
