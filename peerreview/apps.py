from django.apps import AppConfig


class PeerreviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "peerreview"
