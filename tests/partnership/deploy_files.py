"""Readers for the deployment files (Dockerfile, docker-compose.yml, .env.example, .dockerignore) used by tests.

No Docker engine runs where the tests do, so the tests read these files the way Docker would and check them
against the repository, the settings and each other.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass
class Stage:
    """One ``FROM`` of a multi-stage Dockerfile: its base image (ARGs resolved), name and instructions."""

    image: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, instruction: str) -> list[str]:
        return [args for name, args in self.instructions if name == instruction]

    def last(self, instruction: str) -> str | None:
        found = self.all(instruction)
        return found[-1] if found else None


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, backslash continuations joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        name, _, args = current.strip().partition(" ")
        instructions.append((name.upper(), args.strip()))
        current = ""
    return instructions


def dockerfile_stages(text: str | None = None) -> list[Stage]:
    """The Dockerfile's stages in order, with ``ARG`` defaults declared before the first FROM substituted."""
    text = DOCKERFILE.read_text() if text is None else text
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for name, value in dockerfile_instructions(text):
        if name == "ARG" and not stages and "=" in value:
            key, _, default = value.partition("=")
            args[key.strip()] = default.strip()
        elif name == "FROM":
            words = value.split()
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), words[0])
            stage_name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(image=image, name=stage_name))
        elif stages:
            stages[-1].instructions.append((name, value))
    return stages


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) CMD/HEALTHCHECK argument list; a shell form fails the assertion."""
    parsed = json.loads(args)
    assert isinstance(parsed, list) and all(isinstance(word, str) for word in parsed), args
    return parsed


def healthcheck_command(args: str) -> tuple[dict[str, str], list[str]]:
    """A HEALTHCHECK instruction split into its ``--option=value`` flags and its exec-form command."""
    options: dict[str, str] = {}
    rest = args
    while rest.startswith("--"):
        option, _, rest = rest.partition(" ")
        key, _, value = option[2:].partition("=")
        options[key] = value
        rest = rest.strip()
    keyword, _, command = rest.partition(" ")
    assert keyword.upper() == "CMD", args
    return options, exec_form(command)


def copy_sources(args: str) -> tuple[dict[str, str], list[str]]:
    """A COPY instruction's ``--flag=value`` options and its source paths (the destination dropped)."""
    words = args.split()
    flags = {w[2:].partition("=")[0]: w.partition("=")[2] for w in words if w.startswith("--")}
    paths = [w for w in words if not w.startswith("--")]
    return flags, paths[:-1]


def dockerignore_patterns() -> list[tuple[bool, str]]:
    """(negated, pattern) pairs of .dockerignore, in order."""
    patterns = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            patterns.append((negated, line.lstrip("!").strip("/")))
    return patterns


def dockerignored(relative: str) -> bool:
    """Whether Docker leaves ``relative`` (a path in the repository) out of the build context.

    Like Docker: the last matching pattern wins, and a pattern matching a directory excludes what is inside.
    """
    parts = relative.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negated, pattern in dockerignore_patterns():
        for prefix in prefixes:
            name = prefix.rsplit("/", 1)[-1]
            if fnmatch.fnmatchcase(prefix, pattern) or ("/" not in pattern and fnmatch.fnmatchcase(name, pattern)):
                excluded = not negated
                break
    return excluded


def compose() -> dict:
    """docker-compose.yml as Compose reads it (YAML anchors and ``<<`` merge keys resolved)."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def compose_variables() -> set[str]:
    """Every ``${NAME...}`` docker-compose.yml interpolates from .env or the shell."""
    text = COMPOSE_FILE.read_text()
    return {match["name"] for match in INTERPOLATION.finditer(text.replace("$$", ""))}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation of one string: ``${X}``, ``${X:-default}``, ``${X:?error}`` and ``$$``."""

    def replace(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        if op in (":-", "-") and (current is None or (op == ":-" and current == "")):
            return arg
        if op in (":?", "?") and (current is None or (op == ":?" and current == "")):
            raise KeyError(f"{name}: {arg}")
        return current or ""

    return INTERPOLATION.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def env_example() -> dict[str, str | None]:
    """Variables of .env.example: value when set, None when documented only as a ``# NAME=...`` comment."""
    variables: dict[str, str | None] = {}
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        set_match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if set_match:
            variables[set_match[1]] = set_match[2]
            continue
        documented = re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=.*", line)
        if documented:
            variables.setdefault(documented[1], None)
    return variables


def settings_variables() -> set[str]:
    """Environment variables partnership/settings.py reads."""
    text = (ROOT / "partnership" / "settings.py").read_text()
    pattern = r"""(?:os\.environ\.get|os\.getenv|_required)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    return set(re.findall(pattern, text))
