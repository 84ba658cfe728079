"""reglab.exercises.check never raises and never hangs, whatever a student passes.

Every registered exercise gets answers of the wrong kind: bools (``True`` is not ``1.0``), text,
a 1 MB string, an endless iterator, a generator, objects, NaN, empty containers. Each must give
one short "not yet" line and a falsy verdict.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reglab.exercises import check, registered
from reglab.exercises._core import ITEM_LIMIT, MESSAGE_LIMIT, AnswerError, number, numbers

IDS = [i for i in registered() if not i.startswith("99.")]
BAD_ANSWERS = {
    "True": lambda: True,
    "False": lambda: False,
    "numpy bool": lambda: np.bool_(True),
    "pair of bools": lambda: (True, False),
    "text": lambda: "one",
    "1 MB of text": lambda: "9" * 1_000_000,
    "endless iterator": lambda: itertools.count(),
    "generator": lambda: (k for k in range(3)),
    "object": lambda: object(),
    "NaN": lambda: float("nan"),
    "empty list": lambda: [],
    "empty dict": lambda: {},
}


@pytest.mark.parametrize("answer", sorted(BAD_ANSWERS))
@pytest.mark.parametrize("exercise_id", IDS)
def test_a_malformed_answer_is_one_short_line_never_an_error(exercise_id, answer, capsys):
    assert not check(exercise_id, BAD_ANSWERS[answer]())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"✗ {exercise_id}: not yet.")
    assert len(lines[0]) <= MESSAGE_LIMIT + len("... (message cut)")


@pytest.mark.parametrize("exercise_id", ["02.3", "05.3"])
def test_a_bool_is_not_the_number_one(exercise_id, capsys):
    assert not check(exercise_id, True)
    assert "True or False, which is not a number" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id", [12, None, 2.1, "9" * 10_000])
def test_an_unknown_or_malformed_id_lists_the_known_ones(exercise_id, capsys):
    assert not check(exercise_id, 1.0)
    (line,) = capsys.readouterr().out.splitlines()
    assert "no such exercise. Known ids: " in line and len(line) <= MESSAGE_LIMIT + 20


def test_an_endless_iterator_is_read_only_up_to_the_limit(capsys):
    assert not check("08.3", itertools.repeat("penalty/encoder/kernel"))
    assert f"more than {ITEM_LIMIT} items" in capsys.readouterr().out


def test_a_finite_iterator_is_checked_as_the_list_it_yields(capsys):
    from reglab.exercises.nb08 import penalty_columns

    assert not penalty_columns(["penalty"]).correct  # the check itself, as a reference
    assert not check("08.3", iter(["penalty"]))
    assert "not yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "expected"), [(0.5, [0.5]), ([1, 2], [1.0, 2.0]), (np.float32(2.0), [2.0]), ([[3.0]], [3.0])]
)
def test_numbers_reads_numbers(answer, expected):
    np.testing.assert_array_equal(numbers(answer), expected)


@pytest.mark.parametrize(
    ("answer", "message"),
    [(True, "True or False"), ([1.0, False], "True or False"), ("1.0", "text, not a number"),
     (object(), "should be a number"), ([1.0, 2.0], "one number; received 2 values")],
)
def test_number_refuses_what_is_not_one_number(answer, message):
    with pytest.raises(AnswerError, match=message):
        number(answer)
