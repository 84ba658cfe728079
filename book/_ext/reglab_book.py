"""Two small Sphinx hooks that make the repository's own files read as a book.

- The README is the front page: a hidden table of contents listing the notebooks in course
  order (00, 01, ...) and CONTRIBUTING is appended to its source when Sphinx reads it, so the
  README on GitHub stays as it is.
- Remote images (the Binder and Colab badges of the README and of every notebook) would be
  broken images and console errors on a machine without network. Each becomes its alternative
  text, styled as a badge; the link around it stays.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

REMOTE = ("http://", "https://", "//")


def notebook_docnames(srcdir: Path) -> list[str]:
    """The notebooks' document names in course order: the file names start with their number.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "notebooks").mkdir()
    >>> for name in ["01-b.ipynb", "00-a.ipynb"]:
    ...     _ = (root / "notebooks" / name).write_text("{}")
    >>> notebook_docnames(root)
    ['notebooks/00-a', 'notebooks/01-b']
    """
    return [f"notebooks/{path.stem}" for path in sorted((srcdir / "notebooks").glob("[0-9][0-9]-*.ipynb"))]


def table_of_contents(srcdir: Path) -> str:
    """MyST toctrees: the notebooks under "Notebooks", then CONTRIBUTING under "About"."""
    notebooks = "\n".join(notebook_docnames(srcdir))
    about = "CONTRIBUTING" if (srcdir / "CONTRIBUTING.md").exists() else ""
    return (
        f"\n\n```{{toctree}}\n:hidden:\n:caption: Notebooks\n:maxdepth: 1\n\n{notebooks}\n```\n"
        f"\n```{{toctree}}\n:hidden:\n:caption: About\n:maxdepth: 1\n\n{about}\n```\n"
    )


def add_table_of_contents(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname == app.config.root_doc:
        source[0] += table_of_contents(Path(app.srcdir))


def remote_images_to_badges(app: Sphinx, doctree: nodes.document) -> None:
    for image in list(doctree.findall(nodes.image)):
        if image["uri"].startswith(REMOTE):
            label = image.get("alt") or "link"
            image.replace_self(nodes.inline(label, label, classes=["reglab-badge"]))


def setup(app: Sphinx) -> dict:
    app.connect("source-read", add_table_of_contents)
    app.connect("doctree-read", remote_images_to_badges)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
