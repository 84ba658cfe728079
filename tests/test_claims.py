"""Every seed claim gets a computed verdict in its notebook, and the README's table says the same.

The verdict lines are read from the committed (executed) notebooks: nbval re-executes them in CI
and checks the cells marked ``# NBVAL_CHECK_OUTPUT``, so the README cannot claim a verdict that a
notebook does not print.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reglab import claims

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(S\d\.\d\d) · (.+?)  →  (" + "|".join(map(re.escape, claims.VERDICTS)) + r"): ")
ROW = re.compile(r"^\| (S\d\.\d\d) \| (\d) \| (.+?) \| \[(\d\d)\]\(notebooks/[^)]+\) \| (.+?) \|$")


def _notebook(number: str) -> Path:
    found = sorted((ROOT / "notebooks").glob(f"{number}-*.ipynb"))
    assert len(found) == 1, f"one notebook numbered {number} expected, found {found}"
    return found[0]


def _printed_verdicts(number: str) -> dict[str, str]:
    """claim id -> verdict, from the stream outputs of one committed notebook."""
    cells = json.loads(_notebook(number).read_text(encoding="utf-8"))["cells"]
    found = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream":
                continue
            for line in "".join(output["text"]).splitlines():
                match = LINE.match(line)
                if match:
                    found[match[1]] = match[3]
    return found


def _readme_rows() -> dict[str, tuple[str, str, str, str]]:
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match[1]] = (match[2], match[3].replace("\\|", "|"), match[4], match[5])
    return rows


@pytest.mark.parametrize("number", sorted({c.notebook for c in claims.CLAIMS.values()}))
def test_each_claim_has_a_printed_verdict_in_its_notebook(number):
    printed = _printed_verdicts(number)
    expected = [c.id for c in claims.by_notebook(number)]
    missing = [cid for cid in expected if cid not in printed]
    assert missing == [], f"notebook {number} prints no verdict for {missing}"


def test_readme_table_lists_every_claim_with_the_printed_verdict():
    rows = _readme_rows()
    assert sorted(rows) == sorted(claims.CLAIMS), "README's claim table and reglab.claims differ"
    for cid, (seed, text, number, said) in rows.items():
        found = claims.claim(cid)
        assert (int(seed), text, number) == (found.seed, found.text, found.notebook), cid
        assert said == _printed_verdicts(number).get(cid), f"{cid}: README says {said!r}"


def test_claim_ids_are_numbered_per_seed_without_gaps():
    for seed in claims.SEEDS:
        numbers = [int(c.id[3:]) for c in claims.CLAIMS.values() if c.seed == seed]
        assert numbers == list(range(1, len(numbers) + 1)), seed


def test_verdict_prints_the_line_the_tests_read(capsys):
    line = claims.verdict("S3.03", "false", "L2(5.0) builds")
    assert capsys.readouterr().out == line + "\n"
    assert LINE.match(line).groups() == ("S3.03", claims.claim("S3.03").text, "false")


@pytest.mark.parametrize(
    ("args", "error", "names"),
    [
        (("S9.99", "holds", "x"), ValueError, "claim_id"),
        ((3, "holds", "x"), TypeError, "claim_id"),
        (("S2.05", "true", "x"), ValueError, "finding"),
        (("S2.05", "holds", "  "), ValueError, "evidence"),
        (("S2.05", "holds", None), TypeError, "evidence"),
    ],
)
def test_verdict_rejects_bad_input_naming_the_argument(args, error, names):
    with pytest.raises(error, match=names):
        claims.verdict(*args)


def test_by_notebook_rejects_a_notebook_without_claims():
    with pytest.raises(ValueError, match="number"):
        claims.by_notebook("99")
