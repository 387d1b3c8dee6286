"""The test runner's settings: the embedded PostgreSQL and Redis are started (or reused) when no DATABASE_URL /
REDIS_URL is set, then the project's own settings apply unchanged. (Importing ``partnership.settings`` itself
starts no server.)

Under pytest-xdist the servers are started once, by the controlling process, before its workers are spawned
(they inherit the URLs), and each worker adds its name to ``TEST_RUN_ID`` once: its own test database (pytest-django
also suffixes it), Celery queues and cache prefix. Processes a test starts inherit the result (and may set their own).
"""

import os

from partnership.embedded import environ_setdefault

environ_setdefault()

_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker and not os.environ.get("PARTNERSHIP_XDIST_NAMED"):  # once: processes a test starts inherit both
    os.environ["TEST_RUN_ID"] = f"{os.environ.get('TEST_RUN_ID', '')}{_xdist_worker}"
    os.environ["PARTNERSHIP_XDIST_NAMED"] = "1"

from partnership.settings import *  # noqa: E402, F403
