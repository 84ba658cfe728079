"""book/_ext/reglab_book.py: the README's table of contents and the remote badges."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
nodes = pytest.importorskip("docutils.nodes", reason="docutils comes with the book extra")
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import reglab_book  # noqa: E402


def test_notebooks_are_listed_in_course_order():
    names = reglab_book.notebook_docnames(ROOT)
    assert names == sorted(names) and names[0] == "notebooks/00-setup"
    assert len(names) == len(list((ROOT / "notebooks").glob("*.ipynb")))


def test_the_table_of_contents_lists_every_notebook_then_contributing():
    toc = reglab_book.table_of_contents(ROOT)
    positions = [toc.index(name + "\n") for name in reglab_book.notebook_docnames(ROOT)]
    assert positions == sorted(positions)
    assert toc.index("CONTRIBUTING") > positions[-1]
    assert toc.count("```{toctree}") == 2 and ":hidden:" in toc


def test_a_remote_badge_becomes_its_text_and_keeps_its_link():
    document = nodes.document(None, None)
    link = nodes.reference(refuri="https://colab.research.google.com/github/x")
    link += nodes.image(uri="https://colab.research.google.com/assets/colab-badge.svg", alt="Open In Colab")
    local = nodes.image(uri="_images/figure.png", alt="a figure")
    document += [link, local]
    reglab_book.remote_images_to_badges(None, document)
    assert [image["uri"] for image in document.findall(nodes.image)] == ["_images/figure.png"]
    badge = link.children[0]
    assert isinstance(badge, nodes.inline) and badge.astext() == "Open In Colab"
    assert "reglab-badge" in badge["classes"]
