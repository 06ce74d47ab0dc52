"""The TOML data files an operator may replace (topics, ranking weights): the packaged one, or
theirs, read and parsed with errors that name the file."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any


def read_toml(
    path: Path | None, packaged: str, error: type[Exception]
) -> tuple[str, dict[str, Any]]:
    """The file's name as the errors say it, and its document; `error` for what cannot be used."""
    if path is None:
        text = resources.files("bot").joinpath("data", packaged).read_text(encoding="utf-8")
        source = packaged
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise error(f"{source}: cannot be read: {exc}") from None
    try:
        return source, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None
