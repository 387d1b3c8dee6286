"""Notes of visit (label ``visits``): the LA's own visits to schools, the school's response, and visit frequency by
category (docs/adr/0026-notes-of-visit.md).

A consumer of the register and of risk (it reads agreed categories and writes soft intelligence through risk's
services); neither imports it. It adds its waiting work to the home page through the kernel's hook.
"""

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Django app config for ``schools.visits``."""

    name = "schools.visits"
    label = "visits"
    verbose_name = "Notes of visit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.selectors import home_work_register
        from schools.visits.selectors import home_work_items

        home_work_register(home_work_items)
