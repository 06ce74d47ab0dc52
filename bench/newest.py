"""The suite against the newest releases pyproject.toml's ranges allow, without the lock.

A scheduled-style check, not run by CI: it makes a throwaway virtualenv, installs the
package's runtime and test dependencies and its build backend at their newest releases,
runs the whole suite there from this checkout, and lists every package whose version differs
from requirements/test.txt. A green run means `requirements/refresh.sh` is safe to commit; a
red one names what a refresh would break, before anyone depends on it. The last line printed
is one JSON object; the exit status is pytest's.

    .venv/bin/python bench/newest.py [PYTEST ARGS...]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements" / "test.txt"
NOT_DEPENDENCIES = {"digestbot", "pip", "setuptools", "wheel"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    """name → version pinned in the test lock."""
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK.read_text(), flags=re.M)
    return {canonical(name): version for name, version in pins}


def newest_environment(venv: Path) -> dict[str, str]:
    """Install the newest allowed releases into a new virtualenv; name → version installed."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip"]
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]
    install = [*pip, "install", "-q", "--upgrade", "--upgrade-strategy", "eager"]
    subprocess.run([*install, f"{REPO}[test]", *build["requires"]], check=True)
    # The lock holds what an editable build asks for too (README installs with -e).
    ask = (
        f"import json, {build['build-backend']} as backend; "
        "print(json.dumps(backend.get_requires_for_build_editable()))"
    )
    editable = subprocess.run([python, "-c", ask], cwd=REPO, check=True, capture_output=True)
    if extra := json.loads(editable.stdout):
        subprocess.run([*install, *extra], check=True)
    listed = subprocess.run(
        [*pip, "list", "--format", "json"], check=True, capture_output=True, text=True
    )
    found = {canonical(p["name"]): p["version"] for p in json.loads(listed.stdout)}
    return {name: v for name, v in found.items() if name not in NOT_DEPENDENCIES}


def differences(pinned: dict[str, str], newest: dict[str, str]) -> dict[str, list]:
    """Packages whose newest release is not the locked one, and those only on one side."""
    return {
        "upgraded": {
            name: [pinned[name], newest[name]]
            for name in sorted(pinned.keys() & newest.keys())
            if pinned[name] != newest[name]
        },
        "added": {name: newest[name] for name in sorted(newest.keys() - pinned.keys())},
        "dropped": {name: pinned[name] for name in sorted(pinned.keys() - newest.keys())},
    }


def run_suite(venv: Path, args: list[str]) -> tuple[int, str, list[str]]:
    """pytest's exit status, its closing line and the tests that failed."""
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    failed = sorted({m for m in re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.M)})
    return result.returncode, lines[-1] if lines else result.stderr.strip()[-500:], failed


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="digestbot-newest-") as tmp:
        venv = Path(tmp) / "venv"
        newest = newest_environment(venv)
        changes = differences(locked(), newest)
        for name, (old, new) in changes["upgraded"].items():
            print(f"{name}: {old} in the lock, {new} newest")
        for name, version in changes["added"].items():
            print(f"{name}: {version}, not in the lock")
        for name, version in changes["dropped"].items():
            print(f"{name}: {version} in the lock, no longer needed")
        status, summary, failed = run_suite(venv, sys.argv[1:])
    print(f"suite on the newest releases: {summary}")
    for test in failed:
        print(f"  failed: {test}")
    print(json.dumps({**changes, "pytest_exit": status, "summary": summary, "failed": failed}))
    return status


if __name__ == "__main__":
    sys.exit(main())
