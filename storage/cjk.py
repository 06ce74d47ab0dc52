"""Chinese text as overlapping bigrams, so that FTS5 can find two-character words.

FTS5's unicode61 tokenizer reads a run of Chinese characters as one token, so `对齐` never
matches inside `大语言模型的对齐`; the trigram tokenizer needs three characters, so `幻觉`
would never match at all. Writing each run as its overlapping bigrams plus its last
character (`大语言模型` -> `大语 语言 言模 模型 型`) makes every word of two or more
characters a phrase of adjacent bigrams, and every single character the prefix of a token.
No dictionary is needed, nothing is downloaded, and the same function serves the index
(registered in SQLite as `cjk_bigrams`) and the queries.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, and Extension B and on.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LATIN = re.compile(r"[A-Za-z]")


def has_cjk(text: str) -> bool:
    """Whether the text holds any Chinese character."""
    return _CJK_RUN.search(text) is not None


def chinese_share(text: str) -> float:
    """Chinese characters as a share of Chinese characters and Latin letters (0 without any):
    Chinese prose naming English terms and titles still scores well above a fifth."""
    chinese = sum(len(run) for run in _CJK_RUN.findall(text))
    latin = len(_LATIN.findall(text))
    return chinese / (chinese + latin) if chinese else 0.0


def run_bigrams(run: str) -> list[str]:
    """The tokens one run of Chinese characters is indexed as."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _spaced(match: re.Match[str]) -> str:
    return " " + " ".join(run_bigrams(match.group(0))) + " "


def cjk_bigrams(text: str | None) -> str | None:
    """The text with every Chinese run replaced by its bigrams; other text unchanged."""
    if text is None:
        return None
    return _CJK_RUN.sub(_spaced, text)


def split_runs(text: str) -> list[tuple[bool, str]]:
    """The text cut into (is_chinese, piece) pieces, in order."""
    pieces: list[tuple[bool, str]] = []
    last = 0
    for match in _CJK_RUN.finditer(text):
        if match.start() > last:
            pieces.append((False, text[last : match.start()]))
        pieces.append((True, match.group(0)))
        last = match.end()
    if last < len(text):
        pieces.append((False, text[last:]))
    return pieces
