#!/usr/bin/env bash
# Refresh the lock files from pyproject.toml's ranges: the newest releases that fit, pinned
# with their hashes, the build backend included (installs use --no-build-isolation).
#   requirements/run.txt   what the bot needs to run
#   requirements/test.txt  that, plus the test tools
# Review the diff and run the tests before committing it: bench/newest.py shows what a
# refresh would change. Pass --no-upgrade to re-resolve after editing a range, moving
# nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
upgrade=--upgrade
if [[ "${1:-}" == "--no-upgrade" ]]; then upgrade=; fi

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q pip-tools==7.6.2

# The lock holds the public index's files and hashes, not a local mirror's or wheel cache's.
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
export PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="requirements/refresh.sh"
compile=("$tools/bin/pip-compile" -q $upgrade --generate-hashes --allow-unsafe --strip-extras
    --all-build-deps --no-emit-index-url --no-emit-find-links)
"${compile[@]}" -o requirements/run.txt pyproject.toml
"${compile[@]}" --extra test -o requirements/test.txt pyproject.toml
