from django.contrib import admin
from django.urls import include, path

from annotations.publishing import public
from annotations.publishing.views import ExportView
from factcheck import health

admin.site.site_header = "Fact-check desk"
admin.site.site_title = "Fact-check desk"
admin.site.index_title = "Moderation"
# The desk's lists are wide; the sidebar would squeeze the quotes.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("api/export/", ExportView.as_view(), name="export"),
    path("api/", include("annotations.api.urls")),
    path("checks/<int:pk>/", public.claim_page, name="public-claim"),
    path("", include("annotations.web.urls")),
]
