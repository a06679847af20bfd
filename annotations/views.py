from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import articles_with_claim_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    articles = articles_with_claim_counts()[:50]
    return render(request, "annotations/home.html", {"articles": articles})
