"""The one place the suggestions read the speaker register.

``load_register`` gives every name and alias of the active (not merged)
speakers with its bare key, as the register's own ``selectors.register_names``
reads them, once per computation. ``register_version``
changes whenever a speaker or an alias is added, renamed or removed, so cached
suggestions made with an older register are not served.
"""

from django.db.models import Count, Max

from annotations import selectors
from annotations.models import Speaker, SpeakerAlias

from .speakers import RegisterName


def load_register() -> list[RegisterName]:
    """Return (speaker id, speaker's name, name or alias, bare key) for the active register."""
    return [tuple(row) for row in selectors.register_names()]


def register_version() -> str:
    """Return a value that changes with every change to speakers and aliases.

    Their history counts every edit made through the site; the rows' count and
    last id also catch rows written without history (``loaddata``).
    """
    parts = []
    for model in (Speaker, SpeakerAlias):
        parts.append(model.history.aggregate(last=Max("history_id"))["last"] or 0)
        rows = model.objects.aggregate(count=Count("id"), last=Max("id"))
        parts += [rows["count"], rows["last"] or 0]
    return ".".join(str(part) for part in parts)
