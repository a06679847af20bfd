"""The reviewers' pages. Each answers GET with HTML; every write goes to /api/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import agreement, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("articles/import/", views.article_import, name="article_import"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    # A claim's panel, as an HTML fragment the article page fetches when the claim is selected.
    path("claims/<int:pk>/", views.claim_panel, name="claim_panel"),
    # The colours of the desk's sides, from their table (CSP allows no inline style).
    path("sides.css", views.sides_css, name="sides_css"),
    # Moderators: how often the reviewers agree, with a plot over time.
    path("agreement/", agreement.agreement_page, name="agreement"),
]
