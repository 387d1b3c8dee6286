"""Request ids and structured logs: one id follows a request into every log line and every Celery task it queues.

The id comes from the reverse proxy's ``X-Request-ID`` header when it is a short token (so a proxy's access log
and ours meet), otherwise a new random one; it is sent back on the response. A task queued while handling the
request carries the id in its message headers, and the worker's log lines for that task carry it too.
In production (``LOG_FORMAT=json``, the default there) every log line is one JSON object.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")  # no spaces, quotes or control characters reach a log line

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request (or task) being handled in this context, or "" outside one."""
    return _request_id.get()


def accepted_request_id(value: str | None) -> str:
    """``value`` when it is a plausible id from our proxy, else a new random id."""
    if value and _ACCEPTED.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id, bind it for the logs and tasks of this request, and echo it on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to every record (empty outside a request or task) so any format may print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# --- Celery: the id travels in the task message's headers --------------------------------------------------


def add_request_id_to_task(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """``before_task_publish``: put the current request id into the outgoing task's headers."""
    request_id = current_request_id()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, contextvars.Token[str]] = {}


def bind_task_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """``task_prerun``: bind the id the task was queued with (or the task's own id) for its log lines."""
    request = getattr(task, "request", None)
    # Celery puts a message's custom headers on the request context; some versions keep them under ``headers``.
    headers = getattr(request, "headers", None) or {}
    request_id = getattr(request, TASK_HEADER, None) or headers.get(TASK_HEADER)
    value = accepted_request_id(request_id or task_id)
    if task_id:
        _task_tokens[task_id] = _request_id.set(value)


def unbind_task_request_id(task_id: str | None = None, **_: Any) -> None:
    """``task_postrun``: forget the task's id."""
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        _request_id.reset(token)


def connect_celery_signals() -> None:
    """Connect the publish and run hooks (called once from the Celery app module)."""
    from celery import signals

    signals.before_task_publish.connect(add_request_id_to_task, weak=False)
    signals.task_prerun.connect(bind_task_request_id, weak=False)
    signals.task_postrun.connect(unbind_task_request_id, weak=False)
