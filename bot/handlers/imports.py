"""`/import` for the operators: an editor's article sent as a document with that caption."""

from __future__ import annotations

import logging
import re
from datetime import date

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.handlers.context import chat_language, runtime
from bot.i18n import _, ngettext, use
from bot.ingest import editor_import, import_report
from bot.reader_input import EARLIEST_DAY, LATEST_DAY, DayOutOfRange, iso_day
from bot.render.papers import escape
from bot.render.split import split_messages

log = logging.getLogger("bot.handlers.imports")
_CAPTION = re.compile(r"^/import(?:@(\w+))?(?:\s+(.*))?$", re.S)
_PERIOD = re.compile(r"^--period[\s=]+(\S+)$")
_TEXT_TYPES = ("text/plain", "text/markdown", "text/x-markdown")
_TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


async def import_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document captioned /import: checked, imported, reported; arXiv asked afterwards."""
    message = update.effective_message
    match = _CAPTION.match((message.caption or "").strip())
    if match is None or (match[1] and match[1].lower() != (context.bot.username or "").lower()):
        return
    rt = runtime(context)
    lang = await chat_language(update, context)
    with use(lang):
        refusal = _refusal(update, rt.settings.admins, match[2])
        if refusal:
            await message.reply_text(escape(refusal))
            return
        period_day = _period(match[2])
        document = message.document
        file = await document.get_file()
        try:
            text = editor_import.decode(bytes(await file.download_as_bytearray()))
        except editor_import.ArticleError:
            await message.reply_text(escape(_("This file is not a text article.")))
            return
        report = await editor_import.import_article(rt, text, period_day=period_day, offline=True)
        await _reply_report(message, report, lang)
    if report.items:
        context.application.create_task(
            _complete(context, message, report, lang), update=update, name="import-metadata"
        )


def _refusal(update: Update, admins: frozenset[int], arguments: str | None) -> str | None:
    """Why this document is not imported, or None."""
    user = update.effective_user
    document = update.effective_message.document
    if user is None or user.id not in admins:
        return _("/import is for the bot's operators only.")
    if arguments:
        try:
            if _period(arguments) is None:
                return _("Usage: a document with the caption /import [--period YYYY-MM-DD]")
        except DayOutOfRange as error:
            return _("{day} is outside the periods I file articles in ({first} to {last}).").format(
                day=error.day.isoformat(),
                first=EARLIEST_DAY.isoformat(),
                last=LATEST_DAY.isoformat(),
            )
    if (document.file_size or 0) > editor_import.MAX_BYTES:
        return _("This file is too large: an article has at most 1 MB.")
    name = (document.file_name or "").lower()
    if document.mime_type not in _TEXT_TYPES and not name.endswith(_TEXT_SUFFIXES):
        return _("Send the article as a plain text or Markdown file (.txt, .md).")
    return None


def _period(arguments: str | None) -> date | None:
    """The day `--period` names; None when malformed, DayOutOfRange when implausible."""
    match = _PERIOD.match((arguments or "").strip())
    return iso_day(match[1]) if match else None


async def _reply_report(message, report: editor_import.ImportReport, lang: str) -> None:
    blocks = [escape(block) for block in import_report.blocks(report, lang)]
    if not report.items:
        blocks.insert(0, escape(_("No item of this article could be imported.")))
    for part in split_messages(blocks):
        await message.reply_text(part)


async def _complete(context, message, report: editor_import.ImportReport, lang: str) -> None:
    """The papers' details from arXiv, then one short message saying how it went; then the
    editor's summaries are translated, when the bot summarizes."""
    await editor_import.complete_metadata(runtime(context), report)
    scheduler = context.application.bot_data.get("scheduler")
    if scheduler is not None and report.items:
        scheduler.summarize_soon()
    with use(lang):
        if report.problems:
            log.warning("metadata not completed: %s", report.problems[0])
            text = _("arXiv could not be asked: {problem}").format(problem=report.problems[0])
        else:
            done = len(report.paper_ids) - len(report.waiting)
            text = ngettext(
                "Details from arXiv: {n} paper complete; the picks are in {period}.",
                "Details from arXiv: {n} papers complete; the picks are in {period}.",
                done,
            ).format(n=done, period=import_report.period_text(report, lang))
        await message.reply_text(escape(text))


async def usage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/import as plain text: say how to send an article."""
    with use(await chat_language(update, context)):
        await update.effective_message.reply_text(
            escape(_("Usage: a document with the caption /import [--period YYYY-MM-DD]"))
        )


def register(app: Application) -> None:
    app.add_handler(
        MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^\s*/import"), import_document)
    )
    app.add_handler(CommandHandler("import", usage))
