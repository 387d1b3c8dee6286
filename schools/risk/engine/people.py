"""Is a change of the headteacher's name in GIAS a new head, or the same person (#14.5)? Pure, stdlib only.

GIAS records every edit of the head's title, first and last name. A marriage or a spelling fix is not a new head,
so C1 compares people, not strings. Names are normalised first (accents removed, case folded, punctuation and
extra spaces dropped: "Anne-Marie O'Neill" = "anne marie oneill"). Then the two are the same person when:

1. the normalised names are equal, or equal with first and last name swapped (a formatting fix or a swap);
2. the first names are equal and the surnames similar (``difflib`` ratio at least ``similarity``, default 0.8:
   "Steel" / "Steele", "Macdonald" / "McDonald"): a spelling fix;
3. the surnames are equal and the first names similar, or one first name starts the other with at least three
   letters ("Sam" / "Samuel"): a spelling fix or a short form;
4. the first names are equal, the surname changed and the title changed too ("Miss Alexandra Allan" to "Mrs
   Alexandra Jones"): a marriage or another change of name.

A name that is empty on either side (the headship fell vacant, or a head was appointed to a vacancy) is always a
change of head. Anything else is a new head; the officer can say otherwise ("same person") on the school's risk
page, and that word wins over this rule.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

DEFAULT_SIMILARITY = 0.8
MIN_SHORT_FORM = 3


@dataclass(frozen=True)
class HeadName:
    """A headteacher's name as GIAS holds it."""

    title: str = ""
    first: str = ""
    last: str = ""

    def __str__(self) -> str:
        return " ".join(p.strip() for p in (self.title, self.first, self.last) if p and p.strip())


def normalise(text: str) -> str:
    """Lower case, no accents, letters and single spaces only ("O'Neill" → "oneill", "Anne-Marie" → "anne marie")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"['’`.]", "", plain)  # apostrophes and full stops join ("O'Neill", "St.")
    return " ".join(re.sub(r"[^a-z]+", " ", plain).split())


def _similar(a: str, b: str, similarity: float) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= similarity


def _short_form(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return len(short) >= MIN_SHORT_FORM and long_.startswith(short)


def same_person(old: HeadName, new: HeadName, *, similarity: float = DEFAULT_SIMILARITY) -> bool:
    """True when ``old`` and ``new`` are most likely the same person (see the module's rule)."""
    of, ol, nf, nl = (normalise(x) for x in (old.first, old.last, new.first, new.last))
    if not (of or ol) or not (nf or nl):
        return False
    if (of, ol) == (nf, nl) or (of, ol) == (nl, nf):
        return True
    if of and of == nf and _similar(ol, nl, similarity):
        return True
    if ol and ol == nl and (_similar(of, nf, similarity) or _short_form(of, nf)):
        return True
    title_changed = normalise(old.title) != normalise(new.title)
    return bool(of) and of == nf and title_changed
