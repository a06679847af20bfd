"""The REST API's routes, under /api/."""

urlpatterns: list = []
