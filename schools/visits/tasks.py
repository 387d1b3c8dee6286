"""Celery tasks of notes of visit: thin, take ids, call ``schools.visits.services`` (the email queue: the name says
"email")."""

from __future__ import annotations

from celery import shared_task

from schools.visits.services import visit_email_send


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, max_retries=5, default_retry_delay=300)
def visit_email_task(self, visit_id: int, event: str, base_url: str) -> int:
    """Send the email about a shared note or a school's response; a mail failure is retried in 5 minutes, 5 times."""
    try:
        return visit_email_send(visit_id=visit_id, event=event, base_url=base_url)
    except (OSError, ConnectionError) as error:  # the mail server is unreachable or refused: try again later
        raise self.retry(exc=error) from error
