"""Hostile documents: each is refused quickly and in little memory, measured in a child process.

Every document is at most 1 MB. The child ingests it into a real database exactly as
`digestbot ingest --file` does and reports the error, the time the ingest took and its peak
resident memory (VmHWM; resource.getrusage where /proc is missing). It runs under an
address-space limit, so a regression fails the test with a MemoryError instead of eating
the machine's memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ingest.detect import parse_document
from bot.ingest.document import FeedProblem

REPO = Path(__file__).resolve().parent.parent
PEAK_MB = 150
SECONDS = 2.0

CHILD = """
import asyncio, json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
from bot.ingest.service import ingest_file
from storage.db import Database

def peak_mb():
    # ru_maxrss of an exec'd child starts at its parent's size on Linux: read its own mark.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

async def main(path, db_path):
    db = await Database.open(db_path)
    started = time.perf_counter()
    report = await ingest_file(db, path)
    seconds = time.perf_counter() - started
    stored = (await db.fetchone("SELECT count(*) FROM papers"))[0]
    await db.close()
    print(json.dumps({"errors": report.errors, "seconds": seconds, "peak_mb": peak_mb(),
                      "stored": stored}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

RSS_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
ITEM = (
    "<item><title>{title}</title><guid>oai:arXiv.org:2406.00001v1</guid>"
    "<description>arXiv:2406.00001v1 Announce Type: new Abstract: Text.</description></item>"
)


def rss(body: str, doctype: str = "") -> str:
    return f'{RSS_HEAD}{doctype}<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'


def dtd(*declarations: str) -> str:
    """A DOCTYPE with its declarations one a line, the way feedparser's fallback reads them."""
    return "<!DOCTYPE rss [\n" + "\n".join(declarations) + "\n]>\n"


def billion_laughs() -> str:
    levels = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return rss(ITEM.format(title="&l9;"), dtd(*levels))


def quadratic_blowup() -> str:
    return rss(ITEM.format(title="&a;" * 10_000), dtd(f'<!ENTITY a "{"A" * 100_000}">'))


def external_entity() -> str:
    return rss(ITEM.format(title="&xxe;"), dtd('<!ENTITY xxe SYSTEM "file:///etc/passwd">'))


def huge_attribute() -> str:
    return rss(f'<item foo="{"x" * 900_000}"><title>t</title></item>')


def deep_nesting() -> str:
    return rss("<a>" * 120_000 + "</a>" * 120_000)


def packed_elements() -> str:
    return rss("<a/>" * 240_000)


HOSTILE = {
    "packed elements": packed_elements,
    "billion laughs": billion_laughs,
    "quadratic blowup": quadratic_blowup,
    "external entity": external_entity,
    "huge attribute": huge_attribute,
    "deep nesting": deep_nesting,
}


def ingest_in_child(path: Path, tmp_path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(tmp_path / "child.sqlite3")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_feed_is_refused_within_two_seconds_in_little_memory(name, tmp_path):
    document = HOSTILE[name]().encode()
    assert len(document) <= 1_000_000
    path = tmp_path / "hostile.xml"
    path.write_bytes(document)
    seen = ingest_in_child(path, tmp_path)
    assert seen["stored"] == 0
    assert len(seen["errors"]) == 1
    assert seen["seconds"] < SECONDS, seen
    assert seen["peak_mb"] < PEAK_MB, seen


def test_reading_dev_zero_stops_at_the_cap_with_one_error(tmp_path):
    seen = ingest_in_child(Path("/dev/zero"), tmp_path)
    assert seen["stored"] == 0
    assert seen["errors"] == [
        "/dev/zero: larger than 50 MB, the most a document may have [too-large]"
    ]
    assert seen["seconds"] < SECONDS, seen


@pytest.mark.parametrize("name", ["billion laughs", "quadratic blowup", "external entity"])
def test_a_document_declaring_entities_is_refused_before_any_parser_reads_it(name, monkeypatch):
    def no_parser(*args, **kwargs):
        raise AssertionError("a parser was asked to read a document with a DTD")

    monkeypatch.setattr("feedparser.parse", no_parser)
    monkeypatch.setattr("xml.parsers.expat.ParserCreate", no_parser)
    with pytest.raises(FeedProblem) as refused:
        parse_document(HOSTILE[name]().encode(), "hostile")
    assert refused.value.kind == "declarations"
    assert "declaration" in refused.value.message


def test_a_declaration_in_utf16_is_seen_too():
    document = quadratic_blowup().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(FeedProblem) as refused:
        parse_document(document.encode("utf-16"), "hostile")
    assert refused.value.kind == "declarations"
