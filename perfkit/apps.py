from typing import Any

from django.apps import AppConfig, apps
from django.core import checks


def warn_on_a_public_site(**kwargs: Any) -> list[checks.CheckMessage]:
    """Say, in ``check --deploy``, that the development tools are installed."""
    if not apps.is_installed("perfkit"):
        return []  # registered when it was, and removed since (tests do that)
    return [
        checks.Warning(
            "The development tools (perfkit) are installed.",
            hint="Unset FACTCHECK_DEV_TOOLS on a public site: its Server-Timing header tells "
            "any client how much work a request caused, and it needs requirements-dev.txt.",
            id="perfkit.W001",
        )
    ]


class PerfkitConfig(AppConfig):
    name = "perfkit"
    verbose_name = "Development tools: benchmark and load test"

    def ready(self) -> None:
        checks.register(warn_on_a_public_site, checks.Tags.security, deploy=True)
