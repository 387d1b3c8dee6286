"""C1 compares people, not strings (#14.5): which GIAS head-name edits are the same person."""

from __future__ import annotations

import pytest

from schools.risk.engine.people import HeadName, same_person


def name(title: str, first: str, last: str) -> HeadName:
    return HeadName(title=title, first=first, last=last)


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        # formatting: case, whitespace, punctuation and accents
        (name("Mrs", "Anne-Marie", "O'Neill"), name("Mrs", "Anne Marie", "ONeill"), True),
        (name("Mr", "JOHN", "smith "), name("Mr", "John", "Smith"), True),
        (name("Ms", "Zoë", "Brontë"), name("Ms", "Zoe", "Bronte"), True),
        # a spelling fix in the surname with the same first name
        (name("Mr", "Duncan", "Steel"), name("Mr", "Duncan", "Steele"), True),
        (name("Mrs", "Catherine", "Macdonald"), name("Mrs", "Catherine", "McDonald"), True),
        # a spelling fix or short form of the first name with the same surname
        (name("Mrs", "Katherine", "Allan"), name("Mrs", "Catherine", "Allan"), True),
        (name("Mr", "Sam", "Patel"), name("Mr", "Samuel", "Patel"), True),
        # a marriage: same first name, a new surname and a new title
        (name("Miss", "Alexandra", "Allan"), name("Mrs", "Alexandra", "Jones"), True),
        # a title change only (Mr to Dr)
        (name("Mr", "Andrew", "Powell"), name("Dr", "Andrew", "Powell"), True),
        # first and last swapped in the register
        (name("Mr", "Powell", "Andrew"), name("Mr", "Andrew", "Powell"), True),
        # different people
        (name("Mr", "Andrew", "Powell"), name("Mrs", "Sarah", "Powell"), False),
        (name("Mr", "Andrew", "Powell"), name("Mr", "Andrew", "Fletcher"), False),  # same first name, no title change
        (name("Mrs", "Jane", "Smith"), name("Mr", "John", "Brown"), False),
        (name("Mr", "Andrew", "Powell"), name("", "", ""), False),  # the headship fell vacant
        (name("", "", ""), name("Mr", "Andrew", "Powell"), False),  # a head appointed to a vacancy
    ],
)
def test_same_person(old: HeadName, new: HeadName, same: bool) -> None:
    assert same_person(old, new) is same
    assert same_person(new, old) is same  # symmetric


def test_the_similarity_threshold_is_a_parameter() -> None:
    old, new = name("Mr", "Duncan", "Steel"), name("Mr", "Duncan", "Steele")
    assert same_person(old, new, similarity=0.95) is False
