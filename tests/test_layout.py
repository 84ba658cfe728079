"""The tree reads like the lesson: README's Layout names every module and folder of reglab, and
no module outgrows one reading (about 600 lines)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reglab"
LIMIT = 600


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"## Layout\n\n```\n(.*?)```", readme, re.S).group(1)


def test_readme_layout_names_every_module_and_folder():
    block = _layout_block()
    names = {path.name for path in PACKAGE.glob("*.py") if path.name not in ("__init__.py", "__main__.py")}
    names |= {f"{path.name}/" for path in PACKAGE.iterdir()
              if path.is_dir() and (path / "__init__.py").exists()}
    names |= {path.name for path in PACKAGE.iterdir() if path.is_dir() and not (path / "__init__.py").exists()
              and any(path.glob("*.py"))}
    missing = sorted(name for name in names if name.removesuffix(".py").removesuffix("/") not in block)
    assert missing == [], f"README's Layout does not mention {missing}"


def test_readme_layout_names_nothing_that_is_gone():
    listed = re.findall(r"^  (\S+\.py|\S+/)", _layout_block(), re.M)
    gone = [name for name in listed if not (PACKAGE / name.rstrip("/")).exists()]
    assert gone == []


def test_every_module_fits_in_about_600_lines():
    long = {str(path.relative_to(ROOT)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert long == {}
