"""The board's URLs in the permission matrix (merged into ``tests.url_matrix.MATRIX``)."""

from __future__ import annotations

from tests.board.helpers import board_world

# Imported at the end of tests.url_matrix, once Case and the role sets exist there.
from tests.url_matrix import BOARD, EVERYONE, HIDDEN, OK, STAFF, Case, expect  # noqa: E402

B = board_world
BOARD_PAPER = expect(HIDDEN, admin=OK, officer=OK, board_member=OK)


def _pair(name: str):
    """args/other_args for ``name`` of the board world (home and other partnership)."""
    return {"args": lambda w: [getattr(B(w), name).pk], "other_args": lambda w: [getattr(B(w), f"other_{name}").pk]}


BOARD_MATRIX: dict[str, Case] = {
    "board:home": Case(roles=BOARD),
    "board:terms": Case(roles=STAFF),
    "board:standing": Case(
        args=lambda w: [w.board_member.pk], other_args=lambda w: [w.other_board_member.pk], roles=STAFF
    ),
    "board:declarations": Case(args=lambda w: B(w) and [], roles=BOARD),
    "board:declaration_add": Case(roles=STAFF),
    "board:meeting_list": Case(args=lambda w: B(w) and [], roles=dict(EVERYONE)),
    "board:meeting_add": Case(roles=STAFF),
    "board:meeting": Case(**_pair("meeting"), roles=dict(EVERYONE)),
    "board:meeting_state": Case(**_pair("meeting"), roles=STAFF),
    "board:agenda_add": Case(**_pair("meeting"), roles=STAFF),
    "board:paper_add": Case(**_pair("meeting"), roles=STAFF),
    "board:minutes": Case(**_pair("meeting"), roles=STAFF),
    "board:decision_add": Case(**_pair("meeting"), roles=STAFF),
    "board:action_add": Case(**_pair("meeting"), roles=STAFF),
    "board:pack_build": Case(method="post", **_pair("meeting"), roles=STAFF),
    "board:action_status": Case(method="post", **_pair("action"), data=lambda w: {"to": "done"}, roles=STAFF),
    "board:paper": Case(**_pair("paper"), roles=BOARD_PAPER),
    "board:round": Case(**_pair("round"), roles=BOARD),
    "board:strategy": Case(args=lambda w: B(w) and [], roles=dict(EVERYONE)),
    "board:strategy_edit": Case(roles=STAFF),
    "board:priority_add": Case(roles=STAFF),
    "board:priority_edit": Case(**_pair("priority"), roles=STAFF),
    "board:priority_retire": Case(method="post", **_pair("priority"), roles=STAFF),
    "board:deliverable_add": Case(**_pair("priority"), roles=STAFF),
    "board:deliverable_edit": Case(**_pair("deliverable"), roles=STAFF),
    "board:scorecard": Case(args=lambda w: B(w) and [], roles=dict(EVERYONE)),
    "board:kpi_library_add": Case(roles=STAFF),
    "board:kpi_add": Case(roles=STAFF),
    "board:kpi_refresh": Case(method="post", roles=STAFF),
    "board:kpi": Case(**_pair("kpi"), roles=dict(EVERYONE)),
    "board:kpi_edit": Case(**_pair("kpi"), roles=STAFF),
    "board:kpi_value_add": Case(**_pair("kpi"), roles=STAFF),
    "board:kpi_value_override": Case(**_pair("value"), roles=STAFF),
    "board:dashboard": Case(args=lambda w: B(w) and [], roles=dict(EVERYONE)),
    "board:pack": Case(**_pair("pack"), roles=BOARD),
    "board:pack_pdf": Case(**_pair("pack"), roles=BOARD),
    "board:pack_xlsx": Case(**_pair("pack"), roles=BOARD),
}
