"""How the fused ranking reads titles: a title holding every term of the query, each in one of
its forms, comes first whatever the vectors say."""

from __future__ import annotations

from bot.search.fusion import TITLE_BONUS, fuse, title_holds

TERMS = [["hallucination", "幻觉"], ["detector"]]


def test_a_title_holds_a_term_in_any_of_its_forms_english_whole_words_chinese_as_written():
    assert title_holds("Detectors of Hallucinations in LLMs", TERMS)  # plurals aside, any case
    assert title_holds("大模型幻觉的 detector", TERMS)  # the Chinese form, inside a word
    assert not title_holds("Hallucinating detector", TERMS)  # not the word itself
    assert not title_holds("A hallucination benchmark", TERMS)  # one term missing
    # the same forms checked again, against other titles, answer the same
    assert title_holds("detector for hallucination", TERMS)
    assert not title_holds("幻 觉 detector", TERMS)


def test_title_matches_come_first_then_the_rest_each_by_their_fused_score():
    fused = fuse(lexical=[1, 2, 3], semantic=[4, 3, 2], title_matches=[3, 1])
    assert [rowid for rowid, _ in fused] == [3, 1, 2, 4]  # 3 is found by both lists, 1 by one
    assert fused[1][1] > TITLE_BONUS > fused[2][1]
