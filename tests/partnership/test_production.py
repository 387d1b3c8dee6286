"""Production settings (``DJANGO_ENV=production``), each loaded in a fresh process as a deployment would load them.

Also the image's runtime commands run for real outside Docker: collectstatic, gunicorn with the Dockerfile's CMD
and its HEALTHCHECK (against the real PostgreSQL and Redis), and Celery beat publishing its schedule.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.partnership.deploy_files import ROOT, dockerfile_stages, exec_form, healthcheck_command

HOST = "partnership.example.gov.uk"
REQUIRED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
# Inherited variables that would change what the settings do: each test states the environment it wants.
_INHERITED_DROPPED = ("PARTNERSHIP_TESTING", "TEST_RUN_ID", "DJANGO_SETTINGS_MODULE", "IMPORT_REQUEUE_SECONDS")


def production_env(**overrides: str | None) -> dict[str, str]:
    """A realistic production environment; servers that do not exist show that nothing connects to them."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _INHERITED_DROPPED and not key.startswith(("DJANGO_", "EMAIL_", "DATABASE_", "REDIS_"))
    }
    env |= {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DATABASE_URL": "postgres://partnership:0123456789abcdef@postgres.invalid:5432/partnership",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "EMAIL_HOST": "smtp.invalid",
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env)


# --- manage.py check --deploy -------------------------------------------------------------------------------


def test_check_deploy_passes_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        ({"DJANGO_SECRET_KEY": "short-and-guessable"}, "security.W009"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
)
def test_check_deploy_fails_on_a_weak_production_setting(overrides, warning):
    """The check above can fail: a weak key or no HTTPS redirect is reported and the command exits non-zero."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**overrides))
    assert result.returncode != 0 and warning in result.stderr + result.stdout


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_required_variable(name, value):
    result = manage("check", env=production_env(**{name: value}))
    assert result.returncode != 0
    assert f"{name} must be set when DJANGO_ENV=production" in result.stderr


# --- the settings themselves --------------------------------------------------------------------------------

_SETTINGS_AS_JSON = """
import json, sys
import django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_NAME": s.SESSION_COOKIE_NAME,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "CSRF_COOKIE_NAME": s.CSRF_COOKIE_NAME,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
    "SECURE_REDIRECT_EXEMPT": s.SECURE_REDIRECT_EXEMPT,
    "LOG_FORMAT": s.LOG_FORMAT,
    "LOG_FORMATTER": s.LOGGING["handlers"]["console"]["formatter"],
    "MIDDLEWARE": s.MIDDLEWARE,
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "EMAIL_HOST": s.EMAIL_HOST,
    "EMAIL_USE_TLS": s.EMAIL_USE_TLS,
    "EMAIL_USE_SSL": s.EMAIL_USE_SSL,
    "EMAIL_TIMEOUT": s.EMAIL_TIMEOUT,
    "DATABASE": {k: s.DATABASES["default"][k] for k in ("HOST", "NAME", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")},
    "CACHE_OPTIONS": s.CACHES["default"].get("OPTIONS", {}),
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "CELERY_BROKER_TRANSPORT_OPTIONS": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "CELERY_TASK_DEFAULT_QUEUE": s.CELERY_TASK_DEFAULT_QUEUE,
    "CELERY_BEAT_SCHEDULE": {k: {**v, "schedule": str(v["schedule"])} for k, v in s.CELERY_BEAT_SCHEDULE.items()},
    "embedded_servers_loaded": "partnership.embedded" in sys.modules,
    "INSTALLED_APPS": s.INSTALLED_APPS,
}))
"""


def production_settings(**overrides: str | None) -> dict:
    env = production_env(DJANGO_SETTINGS_MODULE="partnership.settings", **overrides)
    result = run([sys.executable, "-c", _SETTINGS_AS_JSON], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def prod() -> dict:
    return production_settings(DJANGO_ALLOWED_HOSTS=f"{HOST}, www.{HOST} ")


def test_production_is_not_debug_and_uses_the_given_servers_only(prod):
    assert prod["DEBUG"] is False
    assert prod["DATABASE"]["HOST"] == "postgres.invalid" and prod["DATABASE"]["NAME"] == "partnership"
    assert prod["CELERY_BROKER_URL"] == "redis://redis.invalid:6379/0"
    assert prod["embedded_servers_loaded"] is False
    assert prod["CELERY_TASK_DEFAULT_QUEUE"] == "partnership"


def test_production_does_not_install_the_demo_app(prod):
    """The demo builder, its published passwords and the benchmarks are development-only."""
    assert "demo" not in prod["INSTALLED_APPS"]
    assert "schools" in prod["INSTALLED_APPS"]


def test_production_host_lists_tolerate_spaces(prod):
    assert prod["ALLOWED_HOSTS"] == [HOST, f"www.{HOST}"]
    assert prod["CSRF_TRUSTED_ORIGINS"] == [f"https://{HOST}"]


def test_production_is_https_only_with_hsts_and_secure_cookies(prod):
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60 and prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SESSION_COOKIE_NAME"].startswith("__Host-") and prod["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["SECURE_REDIRECT_EXEMPT"] == ["^health/"]  # only the loopback health checks speak plain HTTP


def test_production_logs_one_json_object_per_line(prod):
    assert prod["LOG_FORMAT"] == "json" and prod["LOG_FORMATTER"] == "json"


def test_production_serves_static_files_with_whitenoise(prod):
    middleware = prod["MIDDLEWARE"]
    assert middleware[0] == "partnership.observability.RequestIdMiddleware"  # even a static file's log has an id
    assert middleware[1] == "django.middleware.security.SecurityMiddleware"
    assert middleware[2] == "whitenoise.middleware.WhiteNoiseMiddleware"  # right after security, as documented
    assert prod["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_sends_email_over_smtp_with_tls_and_a_timeout(prod):
    assert prod["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert prod["EMAIL_HOST"] == "smtp.invalid"
    assert prod["EMAIL_USE_TLS"] is True and prod["EMAIL_USE_SSL"] is False
    assert 0 < prod["EMAIL_TIMEOUT"] <= 30
    implicit = production_settings(EMAIL_USE_SSL="1", EMAIL_PORT="465")
    assert implicit["EMAIL_USE_SSL"] is True and implicit["EMAIL_USE_TLS"] is False  # Django allows only one


def test_production_never_waits_long_on_the_database_redis_or_the_broker(prod):
    assert prod["DATABASE"]["CONN_MAX_AGE"] > 0 and prod["DATABASE"]["CONN_HEALTH_CHECKS"] is True
    assert 0 < prod["CACHE_OPTIONS"]["socket_connect_timeout"] <= 5 and 0 < prod["CACHE_OPTIONS"]["socket_timeout"] <= 5
    broker = prod["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert 0 < broker["socket_connect_timeout"] <= 5 and 0 < broker["socket_timeout"] <= 5
    assert broker["max_retries"] == 0
    assert broker["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT  # no task is redelivered while running


def test_beat_requeues_waiting_import_jobs_every_few_minutes(prod):
    entry = prod["CELERY_BEAT_SCHEDULE"]["import-jobs-requeue"]
    assert entry["task"] == "schools.tasks.import_jobs_requeue_task" and float(entry["schedule"]) == 300
    faster = production_settings(IMPORT_REQUEUE_SECONDS="60")["CELERY_BEAT_SCHEDULE"]["import-jobs-requeue"]
    assert float(faster["schedule"]) == 60 and faster["options"]["expires"] == 60


# --- the image's commands, run outside Docker -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port}: {log.read_text()}")


def _get(port: int, path: str, **headers: str):
    """GET without following redirects: (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def image_like(tmp_path) -> dict[str, str]:
    """Production environment against the real servers, static files collected as the image build does."""
    if not (ROOT / "static" / "build" / "app.css").exists():
        pytest.fail("static/build/ is missing: build the front-end first (npm ci && npm run build, or make setup)")
    wrapper = tmp_path / "image_settings.py"  # the real settings, with STATIC_ROOT in tmp_path
    static_root = str(tmp_path / "static")
    wrapper.write_text(f"from partnership.settings import *  # noqa: F403\nSTATIC_ROOT = {static_root!r}\n")
    env = production_env(
        DATABASE_URL=settings.DATABASE_URL,
        REDIS_URL=settings.REDIS_URL,
        DJANGO_SETTINGS_MODULE="image_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        WEB_CONCURRENCY="2",
    )
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    return env


def test_the_image_command_serves_the_app_and_passes_its_healthcheck(image_like, tmp_path):
    runtime = dockerfile_stages()[-1]
    port = _free_port()
    command = [word.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for word in exec_form(runtime.last("CMD"))]
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=image_like, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, server, log)
        _, check = healthcheck_command(runtime.last("HEALTHCHECK"))
        check = [sys.executable if word == "python" else word.replace(":8000/", f":{port}/") for word in check]
        deadline = time.monotonic() + 60  # like Docker's start period: failures while booting do not count
        while (health := run(check, image_like, timeout=30)).returncode and time.monotonic() < deadline:
            time.sleep(1)
        assert health.returncode == 0, health.stderr + log.read_text()
        status, headers, body = _get(port, "/health/ready/", Host=HOST)  # plain HTTP: exempt from the redirect
        assert status == 200 and b'"database": "ok"' in body and b'"broker": "ok"' in body
        assert len(headers["X-Request-ID"]) == 32

        status, headers, _ = _get(port, "/accounts/login/", Host=HOST)
        assert status == 301 and headers["Location"] == f"https://{HOST}/accounts/login/"
        status, _, _ = _get(port, "/accounts/login/", Host="attacker.example", **{"X-Forwarded-Proto": "https"})
        assert status == 400

        status, headers, body = _get(port, "/accounts/login/", Host=HOST, **{"X-Forwarded-Proto": "https"})
        assert status == 200 and "max-age=31536000" in headers["Strict-Transport-Security"]
        assert any(c.startswith("__Host-csrftoken=") and "Secure" in c for c in headers.get_all("Set-Cookie"))
        stylesheet = next(part.split('"')[0] for part in body.decode().split('href="')[1:] if ".css" in part)
        assert stylesheet.startswith("/static/build/app.") and stylesheet != "/static/build/app.css"  # hashed name
        status, headers, css = _get(port, stylesheet, Host=HOST, **{"X-Forwarded-Proto": "https"})
        assert status == 200 and css and "immutable" in headers["Cache-Control"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.worker
def test_beat_publishes_the_requeue_tasks(tmp_path):
    """celery beat, as the beat service runs it, sends every task on the requeue interval to the broker."""
    expected = {
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["schedule"] == settings.IMPORT_REQUEUE_SECONDS
    }
    assert "schools.tasks.import_jobs_requeue_task" in expected
    run_id = f"beat{uuid.uuid4().hex[:8]}"
    queue = f"partnership-test-{run_id}"
    env = {
        **os.environ,
        "PARTNERSHIP_TESTING": "1",
        "TEST_RUN_ID": run_id,  # its own queue: no worker consumes what this beat sends
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "IMPORT_REQUEUE_SECONDS": "1",
    }
    command = [str(Path(sys.executable).with_name("celery")), "--app=partnership", "beat", "--loglevel=INFO"]
    command.append(f"--schedule={tmp_path / 'celerybeat-schedule'}")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    log = tmp_path / "beat.log"
    with log.open("w") as output:
        beat = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        sent: dict[str, dict] = {}
        deadline = time.monotonic() + 30
        while set(sent) < expected and time.monotonic() < deadline:
            assert beat.poll() is None, log.read_text()
            for raw in broker.lrange(queue, 0, -1):
                headers = json.loads(raw)["headers"]
                sent[headers["task"]] = headers
            time.sleep(0.25)
        assert expected <= set(sent), f"beat did not send {expected - set(sent)} to {queue}:\n{log.read_text()}"
        for task in expected:
            assert sent[task]["expires"], f"{task}: a requeue that waits longer than its interval must expire"
    finally:
        beat.terminate()
        beat.wait(timeout=30)
        broker.delete(queue, *broker.keys(f"*{queue}*"))
