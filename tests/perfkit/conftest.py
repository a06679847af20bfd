"""The development tools installed for their tests, whether FACTCHECK_DEV_TOOLS is on or not.

``make test`` turns it on; this lets ``pytest tests/perfkit`` run on its own too.
"""

import pytest

SERVER_TIMING = "perfkit.middleware.ServerTimingMiddleware"


@pytest.fixture(autouse=True)
def _dev_tools(settings) -> None:
    if "perfkit" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "perfkit"]
    if SERVER_TIMING not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [SERVER_TIMING, *settings.MIDDLEWARE]
