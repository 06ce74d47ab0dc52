"""The Dockerfile, the README's commands, CI and the lock files agree with the package.

There is no container engine in the test environment, so the Dockerfile is read as text:
each instruction the deployment relies on is checked against pyproject.toml and the lock.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    copies = [rest.split() for key, rest in instructions() if key == "COPY"]
    copied = {Path(source).as_posix() for *sources, _ in copies for source in sources}
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    forced = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for needed in [*packages, *forced, "pyproject.toml", project["project"]["readme"]]:
        assert needed in copied, needed


def test_the_image_installs_the_locked_dependencies_then_the_package_without_fetching():
    runs = [rest for key, rest in instructions() if key == "RUN"]
    [locked] = [run for run in runs if "-r " in run]
    assert "--require-hashes" in locked
    assert re.search(r"-r \S*requirements/run\.txt\b", locked)
    [package] = [run for run in runs if "--no-deps" in run]
    # the build backend comes from the lock, not from a fresh download at build time
    assert "--no-build-isolation" in package


def test_the_catalog_check_reads_the_installed_package_not_copied_sources():
    [run] = [rest for key, rest in instructions() if key == "RUN" and "i18n.load_all()" in rest]
    steps = [step.strip() for step in run.split("&&")]
    check = next(n for n, step in enumerate(steps) if "i18n.load_all()" in step)
    install = next(n for n, step in enumerate(steps) if "pip install" in step)
    sources = {Path(rest.split()[-1]).parent.as_posix() for key, rest in instructions()
               if key == "COPY" and rest.split()[0] == "bot"}  # fmt: skip
    assert install < check
    # Between the install and the check, the copied sources are removed and the directory left.
    between = " ".join(steps[install + 1 : check + 1])
    assert any(f"rm -rf {source}" in between for source in sources), sources
    assert re.search(r"(^|\s)cd /(\s|$)", between)


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


def readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)


def test_ci_runs_exactly_the_readmes_test_command():
    run_command, test_command = readme_commands()
    ci = (REPO / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    lines = ci.splitlines()
    assert any(line in (test_command, f"{test_command} || status=$?") for line in lines)
    assert "requirements/test.txt" in test_command
    assert "requirements/run.txt" in run_command


@pytest.mark.parametrize("lock", ["requirements/run.txt", "requirements/test.txt"])
def test_the_readmes_commands_install_from_a_lock_with_hashes(lock):
    command = next(c for c in readme_commands() if lock in c)
    assert f"--require-hashes -r {lock}" in command
    assert "--no-deps --no-build-isolation -e ." in command


def pins(lock: str) -> dict[str, str]:
    """name → exact version of every package in a lock file, each checked to carry a hash."""
    text = (REPO / lock).read_text()
    found = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, match.group(1)
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def test_the_locks_pin_every_dependency_within_pyprojects_ranges(project):
    run, test = pins("requirements/run.txt"), pins("requirements/test.txt")
    wanted = {
        "requirements/run.txt": [*project["project"]["dependencies"],
                                 *project["build-system"]["requires"]],
        "requirements/test.txt": [*project["project"]["dependencies"],
                                  *project["project"]["optional-dependencies"]["test"],
                                  *project["build-system"]["requires"]],
    }  # fmt: skip
    for lock, found in (("requirements/run.txt", run), ("requirements/test.txt", test)):
        for line in wanted[lock]:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in found, f"{name} is missing from {lock}: run requirements/refresh.sh"
            assert requirement.specifier.contains(found[name], prereleases=True), (lock, name)
    # What runs in production is what the tests ran with.
    assert {name: test[name] for name in run} == run
