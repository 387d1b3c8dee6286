from django.apps import AppConfig


class ClusterHealthConfig(AppConfig):
    """Cluster health checks (label ``cluster_health``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clusters.health"
    label = "cluster_health"
    verbose_name = "Cluster health checks"
