"""The risk app: soft intelligence, rule-set versions, risk runs and their assessments (label ``risk``).

The pure engine in this package (``engine.py``, ``ruleset.py``, ``indicators/``) has no ORM; the Django side
(models, services, selectors, the loader in ``inputs.py``, tasks, pages) lives beside it.
"""

from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Django app config for ``schools.risk``."""

    name = "schools.risk"
    label = "risk"
    verbose_name = "Risk categorisation"
    default_auto_field = "django.db.models.BigAutoField"
