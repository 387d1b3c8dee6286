"""The board's GET pages for ``tests/test_query_counts.py`` (constant queries at 10 and 500 schools)."""

from __future__ import annotations

from tests.board.helpers import board_world


def _round(w):
    """A new round of every school now, agreed and published (so the dashboard's aggregate grows with the data)."""
    from tests.test_query_counts import _published_round

    return _published_round(w)


def _declarations(w) -> list:
    """A declaration per school (up to 40), so the register grows with the data."""
    import datetime as dt

    from partnership.board.models import Declaration
    from schools.models import School

    board_world(w)
    have = Declaration.objects.filter(member=w.board_member).count()
    schools = School.objects.filter(partnership=w.home).order_by("pk")[have:40]
    Declaration.objects.bulk_create(
        Declaration(
            member=w.board_member,
            kind="governance",
            interest=f"Governor {s.pk}",
            school=s,
            declared_on=dt.date(2025, 1, 1),
        )
        for s in schools
    )
    return []


BOARD_PAGES = [
    ("board:home", lambda w: board_world(w) and []),
    ("board:declarations", _declarations),
    ("board:meeting_list", lambda w: board_world(w) and []),
    ("board:meeting", lambda w: [board_world(w).meeting.pk]),
    ("board:round", lambda w: [_round(w).pk]),
    ("board:strategy", lambda w: board_world(w) and []),
    ("board:scorecard", lambda w: board_world(w) and []),
    ("board:kpi", lambda w: [board_world(w).kpi.pk]),
    ("board:dashboard", lambda w: _round(w) and []),
    ("board:pack", lambda w: [board_world(w).pack.pk]),
]
BOARD_OFFICER_ONLY = {"board:home", "board:declarations", "board:round", "board:pack"}
