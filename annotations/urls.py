from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    # What the article page's script fetches and posts; each answers in JSON.
    path("articles/<int:pk>/claims/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_panel, name="claim_panel"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/delete/", views.claim_delete, name="claim_delete"),
    path("claims/<int:pk>/sources/", views.source_add, name="source_add"),
    path("claims/<int:pk>/verdict/", views.verdict_give, name="verdict_give"),
    path("sources/<int:pk>/remove/", views.source_remove, name="source_remove"),
    path("speakers/", views.speaker_search, name="speaker_search"),
    path("speakers/new/", views.speaker_create, name="speaker_create"),
]
