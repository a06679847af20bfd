"""What production runs: no development tools, no development requirement, a line per request.

Each case reads the settings in a fresh interpreter, with the environment of
a production server (the development tools' flag unset).
"""

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "factcheck.example.org",
}
DEV_ONLY = ("perfkit", "psutil", "pyinstrument")


def _python(script: str, **env: str) -> dict:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "FACTCHECK_DEV_TOOLS", "LOG_REQUESTS")
    }
    environ.update(env)
    prelude = """
        import json, os, sys
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    """
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", textwrap.dedent(prelude) + textwrap.dedent(script)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


SETTINGS = """
    import django
    from django.conf import settings
    django.setup()
    print(json.dumps({
        "apps": settings.INSTALLED_APPS,
        "middleware": settings.MIDDLEWARE,
        "request_log": settings.LOGGING["loggers"]["factcheck.request"]["level"],
    }))
"""


def test_production_installs_no_development_tools() -> None:
    found = _python(SETTINGS, **PRODUCTION)

    assert not [app for app in found["apps"] if app.startswith("perfkit")]
    assert not [layer for layer in found["middleware"] if layer.startswith("perfkit")]
    assert found["middleware"][0] == "factcheck.middleware.RequestLogMiddleware"
    assert found["request_log"] == "INFO"


def test_the_flag_adds_perfkit_and_its_timing_header_first() -> None:
    found = _python(SETTINGS, **PRODUCTION, FACTCHECK_DEV_TOOLS="true")

    assert found["apps"][-1] == "perfkit"
    assert found["middleware"][:2] == [
        "perfkit.middleware.ServerTimingMiddleware",
        "factcheck.middleware.RequestLogMiddleware",
    ]


@pytest.mark.parametrize(
    ("env", "level"),
    [({"DEBUG": "true"}, "WARNING"), ({"DEBUG": "true", "LOG_REQUESTS": "true"}, "INFO")],
)
def test_requests_are_logged_unless_debug_where_runserver_does(
    env: dict[str, str], level: str
) -> None:
    assert _python(SETTINGS, **env)["request_log"] == level


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["annotations", "factcheck"])
def test_the_site_imports_no_development_tool(package: str) -> None:
    offending = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in DEV_ONLY
        )
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_every_module_of_the_site_loads_without_the_development_requirements() -> None:
    """As on a server that installed requirements.txt only: psutil and perfkit cannot load."""
    found = _python(
        """
        for name in ("perfkit", "psutil", "pyinstrument"):
            sys.modules[name] = None  # any import of it now fails
        import importlib, pkgutil
        import django
        django.setup()
        loaded = []
        for package in ("factcheck", "annotations"):
            root = importlib.import_module(package)
            for module in pkgutil.walk_packages(root.__path__, package + "."):
                importlib.import_module(module.name)
                loaded.append(module.name)
        from django.urls import get_resolver
        get_resolver().resolve("/healthz")
        print(json.dumps({"loaded": loaded}))
        """,
        **PRODUCTION,
    )
    assert "factcheck.urls" in found["loaded"]
    assert "factcheck.wsgi" in found["loaded"]
    assert "annotations.models" in found["loaded"]


def test_an_app_server_loads_the_heavy_libraries_only_when_they_are_used() -> None:
    """The URLconf and the admin load neither trafilatura, lxml nor numpy (some 25 MB a worker)."""
    found = _python(
        """
        import django
        django.setup()
        import factcheck.urls, annotations.admin  # what a worker loads to answer requests
        heavy = ("trafilatura", "lxml", "numpy", "krippendorff")
        before = [name for name in heavy if name in sys.modules]
        from annotations.agreement import alpha_of_matrix
        alpha_of_matrix([[1, 2], [1, 3]])
        print(json.dumps({"before": before, "after": "numpy" in sys.modules}))
        """,
        **PRODUCTION,
    )
    assert found == {"before": [], "after": True}
