"""Content-Security-Policy and Permissions-Policy on every answer; no inline script in templates.

tests/browser/test_csp.py proves in Chromium that the pages work under the policy.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ["/login/", "/healthz", "/api/claims/", "/admin/login/"])
def test_every_answer_carries_both_policies(client: Client, db: None, path: str) -> None:
    response = client.get(path)

    directives = _directives(response["Content-Security-Policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_the_api_docs_allow_swagger_uis_inline_style_but_no_inline_script(
    client: Client, alice: User
) -> None:
    client.force_login(alice)

    directives = _directives(client.get("/api/docs/")["Content-Security-Policy"])

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]


def _templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "annotations").rglob("templates/**/*.html")
    )


@pytest.mark.parametrize("template", _templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_hold_no_inline_script_handler_or_style(template: Path) -> None:
    source = template.read_text(encoding="utf-8")

    for tag in re.findall(r"<script\b[^>]*>", source, flags=re.I):
        is_data = re.search(r'type="application/(ld\+)?json"', tag)
        assert "src=" in tag or is_data, f"inline script: {tag}"
    assert not re.findall(r"<[^>]*\son[a-z]+\s*=", source, flags=re.I), "an on… handler"
    assert not re.findall(r"<[^>]*\sstyle\s*=", source, flags=re.I), "a style attribute"
    assert "<style" not in source.lower()
    assert "javascript:" not in source.lower()
