from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Article


@login_required
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.order_by("-created_at")[:50]
    return render(request, "annotations/home.html", {"articles": articles})
