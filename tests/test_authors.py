"""What counts as the same author when a chat follows one: accents, case, order, initials and
particles do not matter; a different surname or a clashing initial does; odd names are refused."""

from __future__ import annotations

import pytest

from bot.authors import from_key, parse, same_author


def same(one: str, other: str) -> bool:
    return same_author(parse(one), parse(other))


@pytest.mark.parametrize(
    ("followed", "written"),
    [
        ("Yann LeCun", "Yann LeCun"),
        ("yann lecun", "Yann LeCun"),
        ("LeCun, Yann", "Yann LeCun"),
        ("Y. LeCun", "Yann LeCun"),
        ("Y LeCun", "Yann A. LeCun"),
        ("Yann LeCun", "Yann Le Cun"),
        ("LeCun", "Yann LeCun"),
        ("Jose Perez-Nunez", "José Pérez-Ñúñez"),
        ("Pérez Ñúñez, J.", "José Pérez-Ñúñez"),
        ("J.-P. Sartre", "Jean-Pierre Sartre"),
        ("Jean Pierre Sartre", "Jean-Pierre Sartre"),
        ("van der Berg, Ludwig", "Ludwig van der Berg"),
        ("Ludwig Vanderberg", "Ludwig van der Berg"),
        ("Soren Kierkegaard", "Søren Kierkegaard"),
        ("Lukasz Kaiser", "Łukasz Kaiser"),
        ("Martin Luther King", "Martin Luther King Jr."),
        ("Sukarno", "Sukarno"),
        ("李 明", "李明"),
    ],
)
def test_the_same_author_written_another_way_matches(followed, written):
    assert same(followed, written)


@pytest.mark.parametrize(
    ("followed", "written"),
    [
        ("Yann LeCun", "Yoshua LeCun"),  # two full given names that differ
        ("Y. LeCun", "A. LeCun"),
        ("Wei Zhang", "Zhang Wei"),  # without a comma the last word is the surname
        ("Yann LeCun", "Yann Bengio"),
        ("Ludwig van der Berg", "Ludwig Berg"),
    ],
)
def test_another_author_does_not_match(followed, written):
    assert not same(followed, written)


@pytest.mark.parametrize(
    "name",
    ["", "   ", "🤖🚀", "Y. L.", "J.", "x" * 300, "A " * 60, "1234", ",,,", "<b>Li</b>", "@lecun"],
)
def test_what_is_no_followable_name_is_refused(name):
    assert parse(name) is None


def test_the_parts_keep_their_spelling_for_display_and_citation():
    name = parse("van der Berg, Jr., Ludwig")
    assert name.display == "Ludwig van der Berg Jr."
    assert name.citation == "van der Berg, Jr., Ludwig"
    assert parse("José Pérez-Ñúñez").key == "pereznunez|jose"


def test_a_followed_name_matches_by_its_normal_form_whatever_its_display():
    followed = parse("Perez Nunez, Jose")
    assert followed.display == "Jose Perez Nunez"
    assert same_author(from_key(followed.key), parse("José Pérez-Ñúñez"))
    assert not same_author(from_key(followed.key), parse("Jose Nunez"))
