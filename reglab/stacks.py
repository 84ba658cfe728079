"""The two stacks CI tests, and how the installed one compares with them.

The **pinned** stack is ``constraints.txt``: the committed notebook outputs were computed on it,
and ``make lab`` installs it. The **oldest** stack is ``constraints-oldest.txt``: the versions
Colab ships (reglab is installed there with ``--no-deps``), the lower bounds of
``pyproject.toml``. CI runs the unit tests and executes every notebook on both;
``tests/test_stacks.py`` keeps the tables below equal to the two files.

Introduced in notebooks/00-setup.ipynb; ``python -m reglab doctor`` prints :func:`compare`.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata

__all__ = ["OLDEST", "PINNED", "PINNED_BEHAVIOUR", "StackComparison", "compare", "installed"]

PINNED = {
    "python": "3.11",
    "tensorflow": "2.21.0",
    "keras": "3.15.1",
    "numpy": "2.4.6",
    "pandas": "3.1.1",
    "scikit-learn": "1.9.1",
    "matplotlib": "3.11.2",
    "seaborn": "0.13.2",
}
"""``constraints.txt`` (Python: the minor version CI runs it on)."""

OLDEST = {
    "python": "3.12",
    "tensorflow": "2.19.0",
    "keras": "3.10.0",
    "numpy": "2.0.2",
    "pandas": "2.2.2",
    "scikit-learn": "1.6.1",
    "matplotlib": "3.10.0",
    "seaborn": "0.13.2",
}
"""``constraints-oldest.txt``: the stack Colab announced last (Python 3.12)."""

PINNED_BEHAVIOUR = {
    "activity penalty divided by the batch size": True,
    "L1 with a float64 factor on float32": True,
    "L2 with a float64 factor on float32": True,
    "L1 with a float factor on float16": True,
    "L2 with a float factor on float16": True,
    "factor rounded to float32 on float64 weights": True,
    "set_random_seed repeats unseeded keras.random draws": True,
}
"""What :func:`reglab.compat.probes` finds on the pinned stack (``tests/test_compat.py``)."""

_DISTRIBUTIONS = {"tensorflow": ("tensorflow", "tensorflow-cpu")}


def installed() -> dict[str, str | None]:
    """The installed version of every package in :data:`PINNED` (``None`` if missing).

    Examples
    --------
    >>> sorted(installed()) == sorted(PINNED)
    True
    """
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PINNED:
        if name == "python":
            continue
        versions[name] = None
        for distribution in _DISTRIBUTIONS.get(name, (name,)):
            try:
                versions[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
    return versions


def _release(version: str | None) -> tuple[int, ...]:
    """``"2.19.0rc1"`` → ``(2, 19, 0)``: the leading numbers, enough to order releases."""
    if version is None:
        return ()
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


@dataclass(frozen=True)
class StackComparison:
    """How the installed versions compare with the tested stacks."""

    versions: dict
    differs_from_pinned: dict
    outside_range: dict

    @property
    def is_pinned(self) -> bool:
        """Every package (and Python's minor version) as in ``constraints.txt``."""
        return not self.differs_from_pinned

    def summary(self) -> str:
        """Two or three lines for the doctor report."""
        if self.is_pinned:
            return "Stack: the pinned one (constraints.txt): the committed outputs are reproduced exactly."
        differs = ", ".join(
            f"{k} {v or 'missing'} (pinned {PINNED[k]})" for k, v in self.differs_from_pinned.items()
        )
        lines = [f"Stack: differs from the pinned one (constraints.txt) in {differs}.",
                 "  Numbers may differ from the committed outputs in their last digits, and where this "
                 "Keras behaves differently (below)."]
        if self.outside_range:
            outside = ", ".join(f"{k} {v or 'missing'}" for k, v in self.outside_range.items())
            lines.append(f"  Outside the tested range ({_range_text()}): {outside}. Untested there.")
        else:
            lines.append(f"  Within the tested range ({_range_text()}).")
        return "\n".join(lines)


def _range_text() -> str:
    keys = ("tensorflow", "keras", "numpy")
    return ", ".join(f"{k} {OLDEST[k]} to {PINNED[k]}" for k in keys) + ", ..."


def compare(versions: dict | None = None) -> StackComparison:
    """Compare ``versions`` (default: :func:`installed`) with :data:`PINNED` and :data:`OLDEST`.

    A package differs from the pinned stack when its version is not the pinned one (Python: its
    minor version); it is outside the tested range when it is older than :data:`OLDEST` or newer
    than :data:`PINNED` (Python: older than 3.11 or newer than 3.12), or missing.

    Examples
    --------
    >>> result = compare(dict(PINNED, keras="3.10.0"))
    >>> result.differs_from_pinned, result.outside_range
    ({'keras': '3.10.0'}, {})
    >>> compare(dict(PINNED, keras="3.9.2")).outside_range
    {'keras': '3.9.2'}
    """
    versions = installed() if versions is None else dict(versions)
    differs, outside = {}, {}
    for name, pinned in PINNED.items():
        found = versions.get(name)
        if name == "python":
            minor = ".".join(found.split(".")[:2]) if found else None
            if minor != pinned:
                differs[name] = found
            if minor not in ("3.11", "3.12"):
                outside[name] = found
            continue
        if found != pinned:
            differs[name] = found
        low, high = _release(OLDEST[name]), _release(pinned)
        if not found or not low <= _release(found) <= high:
            outside[name] = found
    return StackComparison(versions, differs, outside)
