"""The run's dictionary of sentences as COPY text: one line per sentence, numbered from ``first``, and every
backslash, tab and line break escaped as PostgreSQL's COPY text format reads them (read back unchanged: tested
against the database)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection, transaction

from schools.risk.engine.assessment_text import text_copy_text

HOSTILE = ["plain", "tab\there", "two\nlines", "carriage\rreturn", "back\\slash", "\\N", "", "’ünïcödé", "a\\tb"]


def test_lines_are_run_number_and_escaped_text():
    text = text_copy_text(run_id=7, texts=np.array(["one", "t\tw\\o\n"], dtype=object), first=40)
    assert text == "7\t40\tone\n7\t41\tt\\tw\\\\o\\n\n"
    assert text_copy_text(run_id=7, texts=np.array([], dtype=object)) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("texts", [HOSTILE, ["only", "plain", "sentences"]], ids=["hostile", "plain"])
def test_every_sentence_comes_back_as_written(texts):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE risk_text_t (run_id int, number int, text text NOT NULL)")
        with cursor.cursor.copy("COPY risk_text_t (run_id, number, text) FROM STDIN") as copy:
            copy.write(text_copy_text(run_id=3, texts=np.array(texts, dtype=object), first=5))
        cursor.execute("SELECT run_id, number, text FROM risk_text_t ORDER BY number")
        assert cursor.fetchall() == [(3, 5 + n, t) for n, t in enumerate(texts)]
