"""Digest size: how many Telegram messages the fixture fortnight's digest takes, per language.

Builds a fresh database from the fixture fortnight (3–16 June 2024: the arXiv RSS files, then
the Hugging Face Daily Papers answers, through the real ingest; see bench/curation.py),
composes the digest of the five topics of the Chinese fortnightly digest the product is
modelled on at the default issue size, renders it for a Chinese and an English reader as the
bot sends it, and prints each message's length (as Telegram counts it) and the papers'
TL;DR widths. The target: a Chinese reader's digest fits in at most two messages. The last
line is one JSON object.

    .venv/bin/python bench/digest_size.py [--fixtures DIR] [--show]

DIR (or DIGESTBOT_FIXTURES) holds `curation/`; without it the bench says so and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._fortnight import EDITOR_TOPICS, build, fixtures_dir  # noqa: E402
from bot.digest.compose import compose  # noqa: E402
from bot.digest.periods import period_of  # noqa: E402
from bot.render.digest import render_digest  # noqa: E402
from bot.render.split import visible_length  # noqa: E402

FORTNIGHT = date(2024, 6, 3)
TARGET_ZH_MESSAGES = 2


async def measure(curation: Path, show: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        rt = await build(Path(tmp) / "bench.sqlite3", curation)
        try:
            period = period_of(FORTNIGHT, rt.settings.epoch)
            digest = await compose(
                rt.db, period, rt.topics, topic_slugs=EDITOR_TOPICS, cap=rt.settings.issue_size
            )
        finally:
            await rt.close()
    result = {"papers": sum(len(s.papers) for s in digest.sections)}
    for lang in ("zh", "en"):
        parts = render_digest(digest, lang, bot_username="digest_bot")
        result[lang] = {"messages": len(parts), "lengths": [visible_length(p) for p in parts]}
        if show:
            print("\n\n=====\n\n".join(parts))
    result["zh_fits"] = result["zh"]["messages"] <= TARGET_ZH_MESSAGES
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", help="the folder holding curation/")
    parser.add_argument("--show", action="store_true", help="print the messages too")
    args = parser.parse_args()
    curation = fixtures_dir(args.fixtures) / "curation"
    if not curation.is_dir():
        print(f"no fixtures at {curation}: nothing to measure")
        return 0
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(measure(curation, args.show))
    for lang in ("zh", "en"):
        found = result[lang]
        print(f"{lang}: {found['messages']} messages, lengths {found['lengths']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
