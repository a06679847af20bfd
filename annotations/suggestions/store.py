"""Suggestions for an article, computed on demand and kept in Django's cache.

The key names everything the answer depends on: the article's text (its
SHA-256), the rules (``ENGINE_VERSION``) and the register
(``register.register_version``). A change to any of them makes a new key, so
nothing stale is served and nothing needs deleting; old keys expire.
"""

import hashlib
from typing import Any

from django.core.cache import cache

from annotations.models import Article

from .engine import ENGINE_VERSION, suggest
from .register import load_register, register_version

CACHE_SECONDS = 24 * 60 * 60


def quote_sha256(quote: str) -> str:
    """Return the key a dismissal keeps of a suggestion's quote."""
    return hashlib.sha256(quote.encode("utf-8")).hexdigest()


def cache_key(article: Article) -> str:
    return f"suggestions:{ENGINE_VERSION}:{register_version()}:{article.text_sha256}"


def article_suggestions(article: Article) -> list[dict[str, Any]]:
    """Return every suggestion for ``article``'s text, as plain dicts, in text order."""
    key = cache_key(article)
    found = cache.get(key)
    if found is None:
        found = [s.as_dict() for s in suggest(article.text, load_register())]
        cache.set(key, found, CACHE_SECONDS)
    return found
