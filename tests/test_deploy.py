"""The Dockerfile and the README's systemd unit agree with the package they deploy.

There is no container engine in the test environment, so the Dockerfile is read as text:
each instruction the deployment relies on is checked against pyproject.toml.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    text = (REPO / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def only(keyword: str) -> str:
    [value] = [rest for key, rest in instructions() if key == keyword]
    return value


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_the_base_image_is_a_slim_python_the_package_supports(project):
    image = only("FROM")
    match = re.fullmatch(r"python:(\d+)\.(\d+)-slim(?:-\w+)?", image)
    assert match, image
    minimum = re.fullmatch(r">=(\d+)\.(\d+)", project["project"]["requires-python"])
    assert tuple(map(int, match.groups())) >= tuple(map(int, minimum.groups()))


def test_every_packaged_directory_and_file_is_copied_before_the_install(project):
    copied = " ".join(rest for key, rest in instructions() if key == "COPY")
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    forced = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for needed in [*packages, *forced, "pyproject.toml", project["project"]["readme"]]:
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), needed
    runs = [rest for key, rest in instructions() if key == "RUN"]
    assert any("pip install ." in run for run in runs)
    # A catalog that does not compile fails the build, not the first reply
    assert any("i18n.load_all()" in run for run in runs)


def test_it_runs_digestbot_run_as_a_non_root_user_with_the_database_on_the_volume(project):
    assert project["project"]["scripts"]["digestbot"] == "bot.cli:main"
    assert json.loads(only("CMD")) == ["digestbot", "run"]  # exec form: signals reach the bot
    user = only("USER")
    assert user not in ("root", "0")
    assert any("useradd" in run and user in run for key, run in instructions() if key == "RUN")
    assert "/data" in only("VOLUME")
    env = " ".join(rest for key, rest in instructions() if key == "ENV")
    assert re.search(r"DIGESTBOT_DB=/data/\S+\.sqlite3", env)
    assert only("EXPOSE") == "8443"  # DIGESTBOT_WEBHOOK_PORT's default
    assert only("STOPSIGNAL") == "SIGTERM"


def systemd_unit() -> configparser.ConfigParser:
    readme = (REPO / "README.md").read_text()
    [block] = re.findall(r"```ini\n(.*?)```", readme, flags=re.S)
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(block)
    return unit


def test_the_systemd_unit_runs_the_bot_from_the_venv_and_keeps_its_state_writable():
    service = systemd_unit()["Service"]
    assert service["ExecStart"] == "/opt/digestbot/.venv/bin/digestbot run"
    assert service["User"] not in ("root", "0")
    state = f"/var/lib/{service['StateDirectory']}"
    database = re.fullmatch(r"DIGESTBOT_DB=(\S+)", service["Environment"]).group(1)
    assert Path(database).parent == Path(state)
    assert service["WorkingDirectory"] == state
    assert service["KillSignal"] == "SIGTERM"
    assert service["EnvironmentFile"].startswith("/etc/")
    assert systemd_unit()["Install"]["WantedBy"] == "multi-user.target"
