from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from annotations.publishing import public
from annotations.publishing.caching import list_etag, public_cache
from annotations.publishing.syndication import SITEMAPS, LatestChecksFeed
from annotations.publishing.views import ExportView
from factcheck import health
from factcheck.routers import reads_from_replica

admin.site.site_header = "Fact-check desk"
admin.site.site_title = "Fact-check desk"
admin.site.index_title = "Moderation"
# The desk's lists are wide; the sidebar would squeeze the quotes.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    # The public side reads from the replica, when there is one (factcheck.routers).
    path("api/export/", reads_from_replica(ExportView.as_view()), name="export"),
    path("api/", include("annotations.api.urls")),
    path("checks/<int:pk>/", reads_from_replica(public.claim_page), name="public-claim"),
    path(
        "checks/feed/",
        reads_from_replica(public_cache(etag=list_etag)(LatestChecksFeed())),
        name="public-feed",
    ),
    path(
        "sitemap.xml",
        reads_from_replica(public_cache(etag=list_etag)(sitemap)),
        {"sitemaps": SITEMAPS, "template_name": "annotations/sitemap.xml"},
        name="sitemap",
    ),
    path("", include("annotations.web.urls")),
]
