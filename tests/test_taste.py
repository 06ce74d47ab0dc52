"""A chat's taste learnt from its votes over the papers' text: which candidates it lifts, when
it is learnt at all, and its settings in bot/data/ranking.toml."""

from __future__ import annotations

import pytest

from bot.digest import ranking
from bot.digest.taste import Pool, Profile, Verdicts, terms

SPEECH = [
    ("Streaming speech recognition", "An audio encoder transcribes spoken utterances."),
    ("Expressive speech synthesis", "Natural speech audio from text, spoken in any voice."),
    ("Speech translation for meetings", "Spoken audio in one language becomes speech in another."),
]
CODE = [
    ("Repository-level code generation", "The model writes code that passes unit tests."),
    ("Program repair with compilers", "Compiler feedback guides the code edits of a program."),
    ("Code review by language models", "Reviews of code changes name the bugs in the program."),
]


def words(pairs) -> dict[int, object]:
    return {n: terms(title, abstract) for n, (title, abstract) in enumerate(pairs)}


def test_a_papers_words_leave_out_glue_count_the_title_twice_and_keep_phrases():
    found = terms("Speech recognition models", "We propose a model of the speech of children.")
    assert found["speech"] == 3
    assert found["speech recognition"] == 2
    assert found["model"] == 3  # "models" and "model" alike
    assert "we" not in found
    assert "propose" not in found
    assert "the" not in found


def test_liked_speech_papers_lift_the_speech_candidates_above_the_code_ones():
    voted = words(SPEECH[:2] + CODE[:1])  # 0, 1 speech liked; 2 code voted down
    candidates = {100 + n: counts for n, counts in words(SPEECH[2:] + CODE[1:]).items()}
    pool = Pool.of(candidates)
    profile = Profile.learn(Verdicts({0: 1, 1: 1, 2: -1}), voted)
    assert "speech" in profile.shares
    assert "synthesis" not in profile.shares
    weighed = pool.weighed(profile, voted, dislike=1.0, size=30)
    taste = dict(zip(pool.ids, pool.taste(weighed), strict=True))
    assert taste[100] > max(taste[101], taste[102])  # the speech translation paper
    assert all(-1.0 <= value <= 1.0 for value in taste.values())


def test_one_liked_paper_is_its_own_profile():
    voted = words(SPEECH[:1])
    profile = Profile.learn(Verdicts({0: 1}), voted)
    assert set(profile.shares) == set(voted[0])


def test_a_taste_is_learnt_after_three_papers_voted_on_one_of_them_liked():
    assert not Verdicts({1: 1, 2: -1}).trained(3)
    assert not Verdicts({1: -1, 2: -1, 3: -1}).trained(3)
    assert not Verdicts({1: 1, 2: 0, 3: -1}).trained(3)  # a 👍 and a 👎 of a group cancel
    assert Verdicts({1: 1, 2: -1, 3: -1}).trained(3)


def test_the_tastes_settings_are_data_and_a_wrong_one_is_named(tmp_path):
    weights = ranking.load()
    assert (weights.taste, weights.taste_min_votes, weights.taste_terms) == (3.0, 3, 20)
    wrong = tmp_path / "ranking.toml"
    wrong.write_text("[taste]\nmin_votes = 2.5\n", encoding="utf-8")
    with pytest.raises(ranking.RankingError, match=r"\[taste\] min_votes must be a whole number"):
        ranking.load(wrong)
    wrong.write_text("[taste]\nweigth = 1\n", encoding="utf-8")
    with pytest.raises(ranking.RankingError, match="unknown key 'weigth'"):
        ranking.load(wrong)
    wrong.write_text("[taste]\nweight = 0.5\nterms = 10\n", encoding="utf-8")
    assert (ranking.load(wrong).taste, ranking.load(wrong).taste_terms) == (0.5, 10)


def test_a_pools_taste_is_the_walk_over_words_it_replaced_to_the_last_bit():
    # The pool scores with arrays for speed; the ranking must be what the plain definition
    # gives, sums added in the same order, so that no issue moves by a rounding
    import heapq
    import math
    from collections import Counter

    from bot.digest.taste import COMMON, FULL_AT

    voted = words(SPEECH + CODE[:1])
    pairs = [
        (f"{title} {extra}", f"{abstract} It studies {extra} in depth, case {n % 7}.")
        for n, (title, abstract) in enumerate((SPEECH[1:] + CODE) * 8)
        for extra in (("noise", "latency", "tests", "teachers", "budgets")[n % 5],)
    ]
    candidates = {100 + n: counts for n, counts in words(pairs).items()}
    pool = Pool.of(candidates)
    verdicts = Verdicts({0: 2, 1: 1, 2: 1, 3: -1})
    profile = Profile.learn(verdicts, voted)
    df = Counter(t for counts in candidates.values() for t in counts)
    found = {t: 0.0 for t in profile.shares if 0 < df[t] <= COMMON * len(candidates)}
    for paper, share in profile.liked.items():
        vector = pool.vector(voted[paper])
        for term in found.keys() & vector.keys():
            found[term] += vector[term] * share
    weights = {t: w * profile.shares[t] ** 2 for t, w in found.items()}
    for paper, share in profile.disliked.items():
        vector = pool.vector(voted[paper])
        for term in weights.keys() & vector.keys():
            weights[term] -= 0.7 * vector[term] * share
    strongest = heapq.nlargest(6, weights.items(), key=lambda item: item[1])
    expected = {term: weight for term, weight in strongest if weight > 0}
    assert pool.weighed(profile, voted, dislike=0.7, size=6) == expected
    raw = [0.0] * len(pool.ids)
    for term, weight in expected.items():
        for index, paper in enumerate(pool.ids):
            value = pool.vector(candidates[paper]).get(term)
            if value is not None:
                raw[index] += weight * value
    mean = sum(raw) / len(raw)
    scale = math.sqrt(sum(x * x for x in raw) / len(raw) - mean * mean) * FULL_AT
    walked = [max(-1.0, min(1.0, (x - mean) / scale)) for x in raw]
    assert pool.taste(expected).tolist() == walked
