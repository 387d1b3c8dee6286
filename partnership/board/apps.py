"""The board app: a sub-app of ``partnership`` with its own label, so its migrations stand alone."""

from django.apps import AppConfig


class BoardConfig(AppConfig):
    """Django app config for ``partnership.board``; connects the KPI recomputation to imports and risk runs."""

    name = "partnership.board"
    label = "board"
    verbose_name = "Strategic board"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.board import signals  # noqa: F401 - connects the receivers
        from partnership.board.selectors import declared_interests, work_queue
        from partnership.selectors import declared_interests_register, home_work_register

        home_work_register(work_queue)
        declared_interests_register(declared_interests)

        from partnership.board.job_kinds import KPI_REFRESHES, MEETING_PACKS
        from partnership.jobs import job_kind_register

        job_kind_register(KPI_REFRESHES)  # the admins' jobs page
        job_kind_register(MEETING_PACKS)
