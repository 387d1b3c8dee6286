"""The test runner's settings: the embedded PostgreSQL and Redis are started (or reused) when no DATABASE_URL /
REDIS_URL is set, then the project's own settings apply unchanged. (Importing ``partnership.settings`` itself
starts no server.)"""

from partnership.embedded import environ_setdefault

environ_setdefault()

from partnership.settings import *  # noqa: E402, F403
