"""The risk app: soft intelligence, rule-set versions, risk runs and their assessments (label ``risk``).

The pure engine (``schools/risk/engine/``) has no Django at all; the Django side (models, services, selectors, the
loader in ``inputs.py``, tasks, pages) lives beside it. The register does not import this app: ``ready()``
connects to its ``register_data_changed`` event.
"""

from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Django app config for ``schools.risk``."""

    name = "schools.risk"
    label = "risk"
    verbose_name = "Risk categorisation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from schools.risk import receivers
        from schools.signals import register_data_changed

        register_data_changed.connect(receivers.register_data_changed, dispatch_uid="risk-recompute-on-import")

        from partnership.selectors import home_work_register
        from schools.risk.categorisation.triggers import review_work_items

        home_work_register(review_work_items)  # "Schools with an in-year review suggested" (#14.11)

        from schools.risk.categorisation.school_list import CATEGORY_COLUMN
        from schools.selectors import school_list_column_register

        school_list_column_register(CATEGORY_COLUMN)  # the schools list's category column and filter (#14.9)

        from partnership.jobs import job_kind_register
        from schools.risk.job_kinds import PUBLICATION_EMAILS, RISK_RUNS

        job_kind_register(RISK_RUNS)  # the admins' jobs page
        job_kind_register(PUBLICATION_EMAILS)
