"""Telling heads and chairs that their school's category is published: one ``PublicationNotice`` per person,
written with the publication and sent by a Celery job (docs/adr/0013).

A notice is claimed under a row lock (``SKIP LOCKED``) and marked sent in the same short transaction as the
message goes, so two jobs never send it twice and a job that dies mid-way leaves the rest waiting for the
next. What goes wrong is sorted by whose fault it is:

- the mail server cannot be reached, drops the connection, times out, refuses our sender or account, or answers
  "try later" about the message: nobody's address is at fault, so no attempt is counted; the job stops and every
  notice left waits for beat's next requeue;
- the server answers "try later" (4xx) about one recipient (greylisting, a full mailbox): not counted either; that
  notice waits with the reason while the job goes on to the others, and is given up after
  ``TRY_LATER_DAYS`` days of such answers;
- the server refuses this message for good (5xx for the recipient or the message), or the address cannot be put
  in a message at all: the attempt counts, and after ``MAX_ATTEMPTS`` the notice is shown to officers as not
  sent, with the reason;
- the person is no longer the school's head or chair (left, archived, moved school): not sent, and shown so.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership.celery import task_named
from partnership.models import SCHOOL_ROLES, Membership, Role
from schools.risk.models import CategorisationRound, CategoryReply, PublicationNotice, SchoolCategory

logger = logging.getLogger(__name__)
# schools.risk.tasks imports this module: the task is looked up by name in Celery's registry, never imported here.
PUBLICATION_NOTICES_TASK = "schools.risk.tasks.publication_notices_task"

MAX_ATTEMPTS = 3
TRY_LATER_DAYS = 3  # a recipient's server saying "try later" for this long is treated as a refusal
NoticeState = PublicationNotice.State


def publication_notices_create(*, round_: CategorisationRound, base_url: str) -> int:
    """A waiting notice for each current head and chair of a school in ``round_`` (call in the publication)."""
    link = base_url.rstrip("/") + reverse("risk:own_category")
    members = (
        Membership.objects.filter(
            head_or_chair(), partnership_id=round_.partnership_id, school__categories__round=round_
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    notices = [
        PublicationNotice(
            round=round_,
            membership=m,
            school_id=cast(int, m.school_id),  # the filter keeps members with a school in the round
            email=m.user.email,
            roles=" and ".join(Role(r).label.lower() for r in m.roles if r in SCHOOL_ROLES)[:60],
            link=link,
        )
        for m in members
    ]
    PublicationNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(notices)


def publication_notices_enqueue(*, round_id: int) -> bool:
    """Queue the job that sends ``round_id``'s waiting notices; False (and logged) when the broker is down,
    in which case beat's requeue sends them once it is back."""
    try:
        task_named(PUBLICATION_NOTICES_TASK).apply_async(args=[round_id], retry=False)
    except Exception:  # the broker is unreachable: the notices wait in the database
        logger.warning("Could not queue the emails of round %s: broker unreachable", round_id, exc_info=True)
        return False
    return True


def publication_notices_requeue() -> int:
    """Queue a sending job for every round that still has waiting notices (beat, and a worker that starts)."""
    rounds = (
        PublicationNotice.objects.filter(state=NoticeState.WAITING)
        .order_by()
        .values_list("round_id", flat=True)
        .distinct()
    )
    return sum(publication_notices_enqueue(round_id=round_id) for round_id in rounds)


def publication_notices_retry(*, round_: CategorisationRound) -> int:
    """Put the notices that could not be sent back in the queue (after an officer corrected the addresses), to
    the person's current address; one to a person who is no longer the school's head or chair is skipped."""
    failed = PublicationNotice.objects.filter(round=round_, state=NoticeState.FAILED)
    current_email = Subquery(Membership.objects.filter(pk=OuterRef("membership_id")).values("user__email")[:1])
    retried = failed.filter(pk__in=failed.filter(STILL_HEAD_OR_CHAIR).values("pk")).update(
        state=NoticeState.WAITING,
        attempts=0,
        last_error="",
        email=Coalesce(NullIf(current_email, Value("")), F("email")),
        waiting_since=timezone.now(),
    )
    failed.update(state=NoticeState.SKIPPED, last_error=LEFT)  # those left failed are for people who have left
    if retried:
        transaction.on_commit(lambda: publication_notices_enqueue(round_id=round_.pk))
    return retried


LEFT = "No longer the school's head or chair"


def head_or_chair(prefix: str = "") -> Q:
    """Memberships (reached through ``prefix``) that are current and hold a head or chair role."""
    return Q(**{f"{prefix}archived_at__isnull": True, f"{prefix}roles__overlap": list(SCHOOL_ROLES)})


# A notice whose person still holds a head or chair role at the notice's school.
STILL_HEAD_OR_CHAIR = (
    Q(membership__isnull=False) & head_or_chair("membership__") & Q(membership__school_id=F("school_id"))
)


class MailServerUnavailable(Exception):
    """The mail server, not an address, is the problem: stop, count nobody's attempt, try again later."""


def publication_notices_send(*, round_id: int) -> dict[str, int]:
    """Send ``round_id``'s waiting notices, each at most once; returns how many were sent, failed, still wait."""
    outcome = {"sent": 0, "failed": 0, "waiting": 0, "skipped": 0}
    waiting = PublicationNotice.objects.filter(round_id=round_id, state=NoticeState.WAITING)
    connection = mail.get_connection()
    try:
        connection.open()
    except SoftTimeLimitExceeded:
        raise
    except Exception:  # the mail server is outside our control: everything waits for the next try
        logger.exception("Could not reach the mail server to send the emails of round %s", round_id)
        outcome["waiting"] = waiting.count()
        return outcome
    tried: list[int] = []
    try:
        while True:
            with transaction.atomic():
                notice = (
                    waiting.select_for_update(skip_locked=True, of=("self",))
                    .select_related("round", "school")
                    .annotate(entitled=ExpressionWrapper(STILL_HEAD_OR_CHAIR, output_field=BooleanField()))
                    .exclude(pk__in=tried)
                    .order_by("pk")
                    .first()
                )
                if notice is None:
                    break
                tried.append(notice.pk)
                try:
                    _send_one(notice, connection)
                except MailServerUnavailable as error:
                    logger.warning("Mail server failed while sending the emails of round %s: %s", round_id, error)
                    outcome["waiting"] += waiting.exclude(pk__in=tried).count() + 1
                    break
                outcome[notice.state] += 1  # the keys are the states
    finally:
        connection.close()
    return outcome


def _send_one(notice: PublicationNotice, connection) -> None:
    """Send one notice and record the outcome; raise ``MailServerUnavailable`` (recording nothing against the
    notice but the reason) when the server, not this message, failed."""
    if not getattr(
        notice, "entitled", False
    ):  # annotated by the claim: left, archived, or moved school since publication
        notice.state, notice.last_error = NoticeState.SKIPPED, LEFT
        notice.save(update_fields=["state", "last_error"])
        return
    round_ = notice.round
    body = render_to_string("risk/email/category_published.txt", {"round": round_, "notice": notice}).rstrip("\n")
    message = mail.EmailMessage(
        f"Your school's category is published: {round_.name}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [notice.email],
        connection=connection,
    )
    try:
        delivered = message.send()
    except SoftTimeLimitExceeded:  # the job ran out of time: this notice waits, untouched, for the next job
        raise
    except Exception as error:
        reason = (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)[:200]
        kind = smtp_failure(error)
        if kind == SERVER:
            notice.last_error = f"Waiting: the mail server failed ({reason})"[:200]
            notice.save(update_fields=["last_error"])
            raise MailServerUnavailable(reason) from error
        if kind == LATER and timezone.now() - notice.waiting_since < dt.timedelta(days=TRY_LATER_DAYS):
            notice.last_error = f"Waiting: the recipient's server said try later ({reason})"[:200]
            notice.save(update_fields=["last_error"])
            return
        logger.warning("The mail server refused notice %s of round %s: %s", notice.pk, round_.pk, reason)
        notice.last_error, delivered = reason, 0
        if kind == LATER:  # still "try later" after TRY_LATER_DAYS: give up now, officers can send it again
            notice.attempts = max(notice.attempts, MAX_ATTEMPTS - 1)
    else:
        notice.last_error = "" if delivered else "The mail server did not accept the message"
    notice.attempts += 1
    if delivered:
        notice.state, notice.sent_at = NoticeState.SENT, timezone.now()
    elif notice.attempts >= MAX_ATTEMPTS:
        notice.state = NoticeState.FAILED
    notice.save(update_fields=["state", "attempts", "last_error", "sent_at"])


REFUSED, LATER, SERVER = "refused", "later", "server"


def smtp_failure(error: Exception) -> str:
    """Whose fault a failed send is: ``REFUSED`` when the server refused this recipient or message for good (an SMTP
    5xx reply about it) or the address cannot be put in a message; ``LATER`` when the server said "try later" (4xx)
    about the recipient; ``SERVER`` when the server or the connection failed, or said "try later" about itself."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return REFUSED if codes and all(code >= 500 for code in codes) else LATER
    if isinstance(
        error,
        smtplib.SMTPSenderRefused | smtplib.SMTPHeloError | smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError,
    ):
        return SERVER  # our sender, our account or the relay: nobody's address
    if isinstance(error, smtplib.SMTPResponseException):  # e.g. the message refused after DATA
        return REFUSED if error.smtp_code >= 500 else SERVER
    # OSError: disconnected, timed out, connection refused (smtplib's own errors are OSErrors): the server's fault.
    # Anything else is about this message, e.g. an address with a line break Django refuses to put in a header.
    return SERVER if isinstance(error, OSError) else REFUSED


def publication_notice_counts(*, round_: CategorisationRound) -> dict[str, int]:
    """How many of the round's notices were sent, wait, or could not be sent (one query)."""
    counts = PublicationNotice.objects.filter(round=round_).aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in NoticeState.values}
    )
    return {state: counts[state] or 0 for state in NoticeState.values}


def publication_unreached_count(*, round_: CategorisationRound) -> int:
    """How many of the round's schools had nobody to notify: no current head or chair with an email address when
    it was published (no ``PublicationNotice`` for the school). One query."""
    noticed = PublicationNotice.objects.filter(round=round_).values("school_id")
    return SchoolCategory.objects.filter(round=round_).exclude(school_id__in=noticed).count()


def reply_answer_notify(*, reply: CategoryReply, base_url: str) -> list[str]:
    """After the panel answers a reply (call inside the answering transaction): email the school's current head
    and chair (the reply's author among them while they still hold that role: one who has left the school is not
    sent its category's answer), once the answer is committed, with a link to their school's category page. A mail
    failure is logged and never undoes the answer (the answer is on the page either way). Returns the addresses."""
    sc = reply.school_category
    people = Membership.objects.filter(
        head_or_chair(), partnership_id=sc.round.partnership_id, school_id=sc.school_id
    ).values_list("user__email", flat=True)
    to = sorted({e for e in people if e})
    if not to:
        return []
    link = base_url.rstrip("/") + reverse("risk:own_category") if base_url else reverse("risk:own_category")
    body = render_to_string(
        "risk/email/reply_answered.txt", {"reply": reply, "sc": sc, "round": sc.round, "link": link}
    ).rstrip("\n")
    subject = f"The panel has answered your reply: {sc.school.name}"

    def send() -> None:
        try:
            mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:  # noqa: BLE001 - the answer is saved and shown; the email is a courtesy
            logger.exception("Could not email the panel's answer to reply %s", reply.pk)

    transaction.on_commit(send)
    return to
