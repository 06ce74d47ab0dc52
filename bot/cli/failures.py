"""The CLI's promise when a command fails: one line on standard error, exactly one JSON object
on standard output with --json, and exit 1 (the work failed) or 2 (usage or configuration).

Subcommands report the failures they foresee with `fail`; everything they do not is turned
into the same one line here, in one place, by `explain`.
"""

from __future__ import annotations

import argparse
import errno
import json
import sys

from bot import config, redaction
from bot.arxiv_ids import ArxivRef
from bot.arxiv_ids import parse as parse_arxiv_id
from bot.i18n import _
from bot.topics.config import TopicsError
from storage.db import (
    BackupFailed,
    DatabaseDamaged,
    DatabaseError,
    DatabaseReadOnly,
    StorageError,
)

WORK_FAILED = 1
USAGE = 2
_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}


class UsageError(Exception):
    """Arguments the parser refused; the message says which and why."""


def fail(args: argparse.Namespace | bool, message: str) -> None:
    """A failure: `{"error": …}` on standard output with --json, one line on standard error."""
    as_json = args if isinstance(args, bool) else getattr(args, "json", False)
    message = redaction.REDACTOR.clean(message)
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False), flush=True)
    print(f"digestbot: {' '.join(message.split())}", file=sys.stderr, flush=True)


def arxiv_ref(args: argparse.Namespace, text: str) -> ArxivRef | None:
    """The arXiv id or link `text` names; None once the usage line said it names none."""
    ref = parse_arxiv_id(text)
    if ref is None:
        fail(args, _("“{text}” is not an arXiv id or link").format(text=text))
    return ref


def explain(exc: BaseException) -> tuple[str, int] | None:
    """The one line and exit code for a failure an operator can meet; None for a bug."""
    if isinstance(exc, DatabaseDamaged):
        line = _("the database {path} is damaged ({error}): restore a backup")
        return line.format(path=exc.path, error=exc.cause), WORK_FAILED
    if isinstance(exc, DatabaseReadOnly):
        line = _("cannot write the database {path}: is the file or its folder read-only? ({error})")
        return line.format(path=exc.path, error=exc.cause), USAGE
    if isinstance(exc, BackupFailed):
        return _backup_line(exc), WORK_FAILED
    if isinstance(exc, UsageError | config.ConfigError | TopicsError | StorageError):
        return str(exc), USAGE
    if isinstance(exc, OverflowError):
        return _("a date is outside the calendar digestbot can count in: {error}").format(
            error=exc
        ), USAGE
    if isinstance(exc, DatabaseError):
        return _database_line(exc), WORK_FAILED
    if _is_telegram(exc, "InvalidToken"):
        return _("Telegram rejected the token (TELEGRAM_BOT_TOKEN)"), USAGE
    if _is_telegram(exc, "NetworkError") and not _is_telegram(exc, "BadRequest"):
        return _("cannot reach Telegram: {error}").format(error=exc), WORK_FAILED
    if isinstance(exc, OSError):
        return _os_line(exc), WORK_FAILED
    return None


def _is_telegram(exc: BaseException, name: str) -> bool:
    # By name: the CLI's other commands never load Telegram's library
    return any(
        kind.__module__ == "telegram.error" and kind.__name__ == name for kind in type(exc).__mro__
    )


def _backup_line(exc: BackupFailed) -> str:
    if exc.errno == errno.EEXIST:
        cause = _("the file exists already; choose a new one")
    elif exc.errno in _DISK_FULL:
        cause = _("the disk is full (or a file size limit was reached)")
    elif exc.errno in _NOT_ALLOWED:
        cause = _("its folder is read-only or not ours ({error})").format(error=exc.cause)
    else:
        cause = exc.cause
    return _("cannot write the backup {path}: {cause}").format(path=exc.target, cause=cause)


def _database_line(exc: DatabaseError) -> str:
    text = str(exc)
    if "disk is full" in text:
        return _("the disk is full: the database could not be written ({error})").format(error=text)
    if "malformed" in text or "not a database" in text:
        return _("the database is damaged ({error}): restore a backup").format(error=text)
    if "readonly" in text or "unable to open" in text:
        return _("the database cannot be written here ({error})").format(error=text)
    return _("the database failed: {error}").format(error=text)


def _os_line(exc: OSError) -> str:
    where = exc.filename or "?"
    cause = exc.strerror or str(exc)
    if exc.errno in _DISK_FULL:
        return _("the disk is full (or a file size limit was reached) writing {path}").format(
            path=where
        )
    if exc.errno in _NOT_ALLOWED:
        return _("cannot write {path}: {error}").format(path=where, error=cause)
    return _("{path}: {error}").format(path=where, error=cause)
