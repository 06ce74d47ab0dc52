"""The layering in tests/layering.toml holds: every module imports only what its part may."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RULES = tomllib.loads((REPO / "tests" / "layering.toml").read_text(encoding="utf-8"))
PARTS = {prefix: part for part, prefixes in RULES["parts"].items() for prefix in prefixes}
OURS = ("bot", "storage")


def module_name(path: Path) -> str:
    dotted = path.relative_to(REPO).with_suffix("").parts
    return ".".join(dotted[:-1] if dotted[-1] == "__init__" else dotted)


def part_of(module: str) -> str | None:
    """The part named by the longest prefix of the module's dotted name."""
    pieces = module.split(".")
    for end in range(len(pieces), 0, -1):
        found = PARTS.get(".".join(pieces[:end]))
        if found:
            return found
    return None


def is_module(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, at the top or inside a function, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from bot.render import papers` imports the module bot.render.papers
            dotted = [f"{node.module}.{alias.name}" for alias in node.names]
            modules = [name for name in dotted if is_module(name)]
            found += [(node.lineno, name) for name in modules]
            if len(modules) < len(dotted):
                found.append((node.lineno, node.module))
    return found


def pure_storage(target: str) -> bool:
    return target == "storage" or target in RULES["pure"]["storage_modules"]


def breaches(path: Path, here: str | None = None) -> list[str]:
    """What the file imports that its part may not; `here` names the module of a copy."""
    shown = here or path.relative_to(REPO)
    here = here or module_name(path)
    part = part_of(here)
    if part is None:
        return [f"{shown}: no part in tests/layering.toml names {here}"]
    allowed = {part, *RULES["may_import"][part]}
    pure = part in RULES["pure"]["parts"]
    problems = []
    for line, target in imports_of(path):
        top = target.split(".")[0]
        where = f"{shown}:{line} imports {target}"
        if top in RULES["outside"] and part not in RULES["outside"][top]:
            problems.append(f"{where}: only {', '.join(RULES['outside'][top])} may")
        if top not in OURS:
            continue
        target_part = part_of(target)
        if target_part not in allowed:
            problems.append(f"{where}: {part} may not import {target_part}")
        elif pure and target_part == "storage" and not pure_storage(target):
            problems.append(f"{where}: {part} is pure; of storage it takes dataclasses only")
    return problems


MODULES = sorted(
    path for top in OURS for path in (REPO / top).rglob("*.py") if "__pycache__" not in path.parts
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_module_imports_only_what_its_part_may(path: Path) -> None:
    assert breaches(path) == []


@pytest.mark.parametrize(
    ("module", "line", "complaint"),
    [
        ("bot.render.papers", "from storage.db import Database", "render is pure"),
        ("bot.render.papers", "from bot.search import service", "render may not import search"),
        ("storage.papers", "from bot.config import Settings", "storage may not import base"),
        ("bot.digest.compose", "import telegram", "only entry, app, handlers, render, push may"),
        ("bot.ingest.service", "import sqlite3", "only storage may"),
        ("bot.push.send", "from bot.handlers import start", "push may not import handlers"),
    ],
)
def test_a_breach_is_reported_with_the_file_and_the_import(
    tmp_path: Path, module: str, line: str, complaint: str
) -> None:
    copy = tmp_path / "module.py"
    copy.write_text(f"{line}\n", encoding="utf-8")
    [problem] = breaches(copy, here=module)
    assert problem.startswith(f"{module}:1 imports ")
    assert complaint in problem
