"""Print the README's table of seed claims from the verdicts the committed notebooks printed.

    .venv/bin/python tools/claims_table.py            # print the table
    .venv/bin/python tools/claims_table.py --write    # replace the table in README.md

The verdict column is read from the executed notebooks (the lines ``reglab.claims.verdict``
prints), so re-run this after `make notebooks`; tests/test_claims.py fails while the two differ.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reglab import claims  # noqa: E402

BEGIN, END = "<!-- claims table: begin -->", "<!-- claims table: end -->"
LINE = re.compile(r"^(S\d\.\d\d) · .+?  →  (" + "|".join(map(re.escape, claims.VERDICTS)) + r"): ")


def printed_verdicts() -> dict[str, str]:
    found = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    for line in "".join(output["text"]).splitlines():
                        if match := LINE.match(line):
                            found[match[1]] = match[2]
    return found


def table() -> str:
    verdicts = printed_verdicts()
    paths = {p.name[:2]: p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    rows = ["| Claim | Seed | What it says (our words) | Checked in | Verdict (pinned stack) |",
            "|---|---|---|---|---|"]
    for c in claims.CLAIMS.values():
        link = f"[{c.notebook}](notebooks/{paths.get(c.notebook, c.notebook)})"
        text = c.text.replace("|", "\\|")  # |w| inside a Markdown table cell
        rows.append(f"| {c.id} | {c.seed} | {text} | {link} | {verdicts.get(c.id, 'missing')} |")
    return "\n".join(rows)


def main() -> None:
    text = table()
    if "--write" not in sys.argv:
        print(text)
        return
    readme = ROOT / "README.md"
    old = readme.read_text(encoding="utf-8")
    start, stop = old.index(BEGIN) + len(BEGIN), old.index(END)
    readme.write_text(old[:start] + "\n" + text + "\n" + old[stop:], encoding="utf-8")


if __name__ == "__main__":
    main()
