"""The REST API's routes, under /api/.

Nothing here starts with "export": /api/export/ belongs to the exports, which
factcheck/urls.py routes before this module.
"""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from .agreement import AgreementView
from .articles import ArticleImportViewSet, ArticleViewSet
from .claims import ClaimViewSet
from .docs import ApiRoot, DocsView
from .errors import api_not_found
from .evidence import SourceViewSet, VerdictViewSet
from .serializers import MAX_ID
from .speakers import SpeakerViewSet
from .suggestions import SuggestionViewSet


class IdConverter:
    """A row's id: digits that fit a 64-bit key; a larger number matches no route (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        if int(value) > MAX_ID:
            raise ValueError(value)  # the URL resolver takes this as no match
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# Named for the API so it cannot clash with another app's converters (the registry is global).
register_converter(IdConverter, "api_id")

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("articles/", ArticleViewSet.as_view(LIST), name="api-article-list"),
    path(
        "articles/import/",
        ArticleImportViewSet.as_view({"post": "create"}),
        name="api-article-import",
    ),
    path(
        "articles/<api_id:pk>/",
        ArticleViewSet.as_view({"get": "retrieve"}),
        name="api-article-detail",
    ),
    path(
        "articles/<api_id:pk>/suggestions/",
        SuggestionViewSet.as_view({"get": "list"}),
        name="api-suggestion-list",
    ),
    path(
        "articles/<api_id:pk>/suggestions/dismissed/",
        SuggestionViewSet.as_view({"post": "dismiss"}),
        name="api-suggestion-dismiss",
    ),
    path("speakers/", SpeakerViewSet.as_view(LIST), name="api-speaker-list"),
    path(
        "speakers/<api_id:pk>/",
        SpeakerViewSet.as_view({"get": "retrieve"}),
        name="api-speaker-detail",
    ),
    path(
        "speakers/<api_id:pk>/merge/",
        SpeakerViewSet.as_view({"post": "merge"}),
        name="api-speaker-merge",
    ),
    path("claims/", ClaimViewSet.as_view(LIST), name="api-claim-list"),
    path("claims/<api_id:pk>/", ClaimViewSet.as_view(DETAIL), name="api-claim-detail"),
    *(
        path(
            f"claims/<api_id:pk>/{action}/",
            ClaimViewSet.as_view({"post": action}),
            name=f"api-claim-{action}",
        )
        for action in ("submit", "verify", "reject", "reopen", "withdraw")
    ),
    path(
        "claims/<api_id:claim_id>/sources/",
        SourceViewSet.as_view(LIST),
        name="api-source-list",
    ),
    path(
        "claims/<api_id:claim_id>/sources/<api_id:pk>/",
        SourceViewSet.as_view(DETAIL),
        name="api-source-detail",
    ),
    path(
        "claims/<api_id:claim_id>/verdicts/",
        VerdictViewSet.as_view(LIST),
        name="api-verdict-list",
    ),
    path(
        "claims/<api_id:claim_id>/verdicts/<api_id:pk>/",
        VerdictViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-verdict-detail",
    ),
    path("agreement/", AgreementView.as_view(), name="api-agreement"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    # The browsable API's log-in and log-out links.
    path("auth/", include("rest_framework.urls")),
    # Any other path under /api/ gets a JSON 404 (but /api/export/ is the exports' own),
    # whatever characters it holds: newlines too, which "." and "$" would let through.
    re_path(r"^(?!export/\Z)(?P<path>[\s\S]*)\Z", api_not_found),
]
