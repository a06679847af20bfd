from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "annotations"

    def ready(self) -> None:
        # A successful login forgets that user's failed ones (django-axes' lockout).
        from .web import lockout  # noqa: F401
