"""What the board sees of a round: no hidden count can be worked out from the counts and totals shown beside it."""

from __future__ import annotations

import pytest

from partnership.board.sources import protect


def _recoverable(cells, hidden, rows_hidden, cols_hidden, row_totals, col_totals) -> bool:
    """True when some hidden cell is the only hidden one in a line whose total is shown (so it can be solved)."""
    for i in range(len(cells)):
        if not rows_hidden[i] and row_totals[i] is not None and sum(hidden[i]) == 1:
            return True
    for j in range(len(cells[0])):
        column = [hidden[i][j] for i in range(len(cells))]
        if not cols_hidden[j] and col_totals[j] is not None and sum(column) == 1:
            return True
    return False


def test_the_reviewers_example_the_district_row_can_no_longer_be_solved():
    # one district: 5, 4, 3 and 1 school in categories 1-4 (13 in all), shown with its total
    hidden, rows_hidden, _ = protect([[5, 4, 3, 1]], row_totals_shown=[True], col_totals_shown=[False] * 4)
    assert hidden == [[False, False, True, True]]  # the 1, and the smallest other non-zero cell with it
    assert rows_hidden == [False]


def test_a_line_with_no_other_non_zero_cell_hides_its_total_instead():
    hidden, rows_hidden, _ = protect([[0, 0, 7, 1]], row_totals_shown=[True], col_totals_shown=[False] * 4)
    assert hidden == [[False, False, True, True]]
    hidden, rows_hidden, _ = protect([[0, 0, 0, 2]], row_totals_shown=[True], col_totals_shown=[False] * 4)
    assert hidden == [[False, False, False, True]] and rows_hidden == [True]


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_is_ever_alone_in_a_line_whose_total_is_shown(seed):
    import random

    rng = random.Random(seed)  # noqa: S311 - test data
    cells = [[rng.choice([0, 0, 1, 2, 3, 4, 7, 12]) for _ in range(4)] for _ in range(rng.randint(1, 6))]
    row_totals = [sum(r) for r in cells]
    col_totals = [sum(r[j] for r in cells) for j in range(4)]
    hidden, rows_hidden, cols_hidden = protect(cells, row_totals_shown=[True] * len(cells), col_totals_shown=[True] * 4)
    assert all(hidden[i][j] for i, r in enumerate(cells) for j, v in enumerate(r) if 0 < v < 3)  # primary
    assert not _recoverable(cells, hidden, rows_hidden, cols_hidden, row_totals, col_totals)
