"""The OpenAPI schema, the docs, JSON errors for the whole of /api/, and fuzzing from the schema."""

import json
import re
import uuid
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import ignored_auth

from annotations import selectors
from annotations.importing.fetch import FetchError
from factcheck.wsgi import application

from .conftest import Desk

Clients = Callable[[User], APIClient]


def test_it_generates_a_schema_without_warnings() -> None:
    out = StringIO()
    # --fail-on-warn: an endpoint whose request or answer the generator had to guess fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--format=openapi-json", stdout=out)
    assert '"/api/claims/{id}/verify/"' in out.getvalue()


def test_it_serves_the_schema_to_a_logged_in_client(client_for: Clients, alice: User) -> None:
    response = client_for(alice).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    served = json.loads(response.content)
    assert served["openapi"].startswith("3.")
    assert served == _served_schema()
    patch = served["paths"]["/api/claims/{id}/"]["patch"]
    assert {"409", "412", "400", "401", "403", "404"} <= set(patch["responses"])
    assert "If-Match" in [p["name"] for p in patch["parameters"]]


def test_it_documents_how_large_a_page_may_be(client_for: Clients, alice: User) -> None:
    served = client_for(alice).get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/claims/", "/api/articles/", "/api/speakers/"):
        (page_size,) = [
            p for p in served["paths"][path]["get"]["parameters"] if p["name"] == "page_size"
        ]
        assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}


def test_it_documents_no_email_field(client_for: Clients, alice: User) -> None:
    served = client_for(alice).get("/api/schema/", {"format": "json"}).content.decode()
    assert "email" not in served


def test_it_answers_an_anonymous_schema_request_with_401(db: None) -> None:
    assert APIClient().get("/api/schema/").status_code == 401


def test_the_docs_load_swagger_ui_from_the_site_itself(alice: User) -> None:
    client = APIClient()
    client.force_login(alice)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    # Nothing from another host (not merely no "cdn": the page's random CSRF token may spell it).
    # The start-up script comes from the docs' own address (no inline script: the CSP).
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert all(src.startswith(("/static/", "/api/docs/?script=")) for src in sources)
    assert "/api/docs/?script=" in sources
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.lower())
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_the_docs_send_an_anonymous_visitor_to_log_in(db: None) -> None:
    response = APIClient().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/api/docs/"


@pytest.mark.parametrize("path", ["/api/", "/api/claims/", "/api/claims/{pk}/"])
def test_the_browsable_api_renders_for_a_logged_in_reviewer(
    alice: User, desk: Desk, path: str
) -> None:
    client = APIClient()
    client.force_login(alice)
    response = client.get(path.format(pk=desk.draft.pk), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Django REST framework" in response.content.decode()


def test_the_browsable_api_offers_a_form_to_edit_a_draft(alice: User, desk: Desk) -> None:
    client = APIClient()
    client.force_login(alice)
    page = client.get(f"/api/claims/{desk.draft.pk}/", HTTP_ACCEPT="text/html").content.decode()
    assert 'name="_content"' in page  # the raw-data form that sends a PATCH
    assert "csrfmiddlewaretoken" in page


def test_options_describes_only_what_the_user_may_send(
    client_for: Clients, alice: User, db: None
) -> None:
    client = client_for(alice)
    claims = client.options("/api/claims/").json()
    assert {"article", "start", "end", "quote"} <= set(claims["actions"]["POST"])
    assert "actions" not in client.options("/api/articles/").json()  # moderators add articles


# Errors for the whole of /api/ -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "hint"),
    [
        ("get", "/api/nothing-here/", ""),
        ("post", "/api/claims/first/", ""),
        ("get", "/api/claims", "Did you mean /api/claims/ ?"),
        ("get", f"/api/claims/{2**64}/", ""),
    ],
)
def test_a_path_under_api_that_names_no_endpoint_gets_a_json_404(
    db: None, method: str, path: str, hint: str
) -> None:
    client = APIClient(enforce_csrf_checks=True)
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert f"There is no API endpoint at {path}." in response.json()["detail"]
    assert hint in response.json()["detail"]


def test_a_method_an_endpoint_does_not_take_gets_a_json_405(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).put(f"/api/claims/{desk.draft.pk}/", {}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}


def test_an_unexpected_error_gets_a_json_500_and_is_logged(
    client_for: Clients,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(**filters: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(selectors, "claims_filtered", broken)
    response = client_for(alice).get("/api/claims/")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on the server; the error has been logged."
    }
    assert "the disk is on fire" not in response.content.decode()
    assert any(r.exc_info and "disk is on fire" in str(r.exc_info[1]) for r in caplog.records)


# Fuzzing -------------------------------------------------------------------------


def _served_schema() -> dict:
    """Return the schema exactly as /api/schema/ serves it (public: the same for every user)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(
    _served_schema(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": 25, "deterministic": True},
            "checks": {
                # Every check runs. Data the schema allows may still be refused: with 400,
                # as the desk's rules go beyond what a schema can say (the quote is the text
                # at its offsets, the article and speaker exist, a cursor is one the API
                # gave); with 412, an If-Match that names another version than the claim's.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429"]
                },
                # Data the schema refuses is refused, and a body larger than the API reads
                # (2.5 MB, before any field is looked at) is refused with 413, as it should be.
                "negative_data_rejection": {
                    "expected-statuses": [
                        "400",
                        "401",
                        "403",
                        "404",
                        "405",
                        "406",
                        "409",
                        "413",
                        "415",
                        "422",
                        "428",
                        "429",
                        "5xx",
                    ]
                },
            },
        }
    ),
).exclude(
    # The exports (/api/export/) have their own owner and tests; this fuzzes the resources.
    path_regex="^/api/export"
)
schema.app = application


@pytest.fixture(autouse=True)
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the import endpoint from fetching the addresses the fuzzer makes up: no internet."""

    def refuse(url: str) -> None:
        raise FetchError(f"{url} is not fetched in this test.")

    monkeypatch.setattr("annotations.services.articles.fetch", refuse)


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """Keep Django from closing the database connection after each request.

    Schemathesis calls the real WSGI handler, whose request signals close the
    connection, and with it the test's transaction on PostgreSQL. Django's own
    test client disconnects the same handler while it runs.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def moderator_token(desk: Desk, morgan: User, token_for: Callable[[User], str]) -> str:
    return token_for(morgan)


def _aim_at_the_desk(case: schemathesis.Case, desk: Desk) -> None:
    """Point half the generated ids at real rows, so fuzzing reaches past the 404s.

    A generated id that is an even number is swapped for a row of the kind the
    path names; odd numbers and ids that are no numbers at all stay as generated.
    """
    params = case.path_parameters
    if not params:
        return
    claims = [desk.draft.pk, desk.in_review.pk, desk.verified.pk, desk.rejected.pk]
    path = case.operation.path
    rows = {
        # The desk's source and verdict are on the claim in review.
        "claim_id": [desk.in_review.pk, *claims],
        "id": (
            [desk.source.pk]
            if "/sources/" in path
            else [desk.verdict.pk]
            if "/verdicts/" in path
            else [desk.article.pk]
            if path.startswith("/api/articles/")
            else [desk.speaker.pk]
            if path.startswith("/api/speakers/")
            else claims
        ),
    }
    for name, value in params.items():
        is_number = isinstance(value, int) and not isinstance(value, bool)
        # Only ids the schema allows (1 and up): an id below is a negative case, kept as is.
        if name in rows and is_number and value >= 1 and value % 2 == 0:
            params[name] = rows[name][value // 2 % len(rows[name])]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    # The fixtures build one desk per operation; the examples of an operation share it,
    # which is what we want: writes pile up as they would on a real desk.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_fuzzing_finds_no_server_error_and_no_answer_outside_the_schema(
    case: schemathesis.Case, desk: Desk, moderator_token: str
) -> None:
    _aim_at_the_desk(case, desk)
    if case.headers and "Idempotency-Key" in case.headers and case.meta.generation.mode.is_positive:
        # A fresh key for each valid write: the fuzzer repeats keys, and a key sent again
        # with another body is refused (422) before anything reaches the desk's rules.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    case.call_and_validate(headers={"Authorization": f"Token {moderator_token}"})


@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_stateful_sequences_follow_the_schema_links(desk: Desk, moderator_token: str) -> None:
    """Chains of calls along the links schemathesis finds (a new claim, then its sources…)."""

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each sequence starts from the same desk: its writes are rolled back after it.
            self.sequence = transaction.atomic()
            self.sequence.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.sequence.__exit__(None, None, None)

        def before_call(self, case: schemathesis.Case) -> None:
            _aim_at_the_desk(case, desk)
            if case.headers and "Idempotency-Key" in case.headers:
                case.headers["Idempotency-Key"] = uuid.uuid4().hex

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Token {moderator_token}"}}

        def validate_response(
            self, response: Response, case: schemathesis.Case, **kwargs: Any
        ) -> None:
            # Every check but ignored_auth, which cannot tell the configured token from a
            # generated one inside a sequence; the single calls above run it.
            case.validate_response(response, excluded_checks=[ignored_auth])

    Sequences.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
