from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnership"

    def ready(self) -> None:
        from partnership import signals  # noqa: F401 - connects the receivers
