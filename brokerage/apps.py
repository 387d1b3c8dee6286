"""The brokerage app: providers, support requests, matching, deployments, funds and the reciprocity ledger."""

from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "brokerage"
    verbose_name = "Brokerage"

    def ready(self) -> None:
        """Listen to the apps whose events raise support requests (they import nothing of brokerage)."""
        from brokerage import receivers

        receivers.connect()

        from brokerage.job_kinds import NOTIFICATIONS
        from partnership.jobs import job_kind_register

        job_kind_register(NOTIFICATIONS)  # the admins' jobs page
