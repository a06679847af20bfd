"""The pages' scripts as production serves them: hashed modules importing hashed modules."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "factcheck.example.org",
    "DJANGO_SETTINGS_MODULE": "factcheck.settings",
}
# collectstatic as production runs it (DEBUG off), into a folder of the test's own.
COLLECT = """
import sys
import django
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

django.setup()
print(settings.STORAGES["staticfiles"]["BACKEND"])
with override_settings(STATIC_ROOT=sys.argv[1]):
    call_command("collectstatic", interactive=False, verbosity=0)
"""
IMPORT = re.compile(r"""^import\b[^;]*?\bfrom\s*["']([^"']+)["'];""", re.M | re.S)


def test_collectstatic_rewrites_every_module_import_to_a_hashed_file_that_exists(
    tmp_path: Path,
) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", COLLECT, str(tmp_path)],
        cwd=ROOT,
        env={**environ, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "factcheck.storage.StaticFilesStorage"

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    # The pages' entries: the article page's and the import page's.
    entries = [manifest["js/desk.js"], manifest["js/import.js"]]
    for entry in entries:
        assert re.fullmatch(r"js/[a-z]+\.[0-9a-f]{12}\.js", entry)
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (tmp_path / name).read_text()
        for target in IMPORT.findall(source):
            assert re.fullmatch(r"\./[a-z-]+\.[0-9a-f]{12}\.js", target), f"{name} imports {target}"
            hashed = f"js/{target.removeprefix('./')}"
            assert (tmp_path / hashed).is_file(), f"{name} imports {hashed}, which is missing"
            todo.append(hashed)
    # Every module of the pages is reached from an entry, each by its hashed name.
    modules = {p.name for p in (ROOT / "static" / "js").glob("*.js")}
    assert {manifest[f"js/{m}"] for m in modules} == seen
