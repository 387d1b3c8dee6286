from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"

    def ready(self) -> None:
        from partnership.jobs import job_finished
        from schools.importers.service import import_job_upload_delete
        from schools.models import ImportJob

        # An import's stored upload is deleted when its job ends, however it ended.
        job_finished.connect(import_job_upload_delete, sender=ImportJob, dispatch_uid="import-upload-delete")

        from partnership.jobs import job_kind_register
        from schools.job_kinds import IMPORTS

        job_kind_register(IMPORTS)  # the admins' jobs page

        from django.db.models.signals import post_delete, post_save

        from clusters.models import Alliance, Cluster
        from schools.choices import choices_saved_or_deleted
        from schools.models import School

        # The filter forms' option lists are kept per version of what they list (schools.choices, ADR 0028).
        for model in (School, Cluster, Alliance):
            for signal in (post_save, post_delete):
                signal.connect(choices_saved_or_deleted, sender=model, dispatch_uid=f"choices-{model.__name__}")
