"""Sphinx configuration of the reglab book: `make book` renders the committed notebooks as a site.

The source directory is the repository root (so the README's links to `notebooks/*.ipynb` work
unchanged) and this folder holds only the configuration: `sphinx-build -c book . build/book/html`.
Notebooks are rendered from their stored outputs and never executed. Everything the pages load is
in the build: MathJax comes from the `sphinx-mathjax-offline` package, remote badge images become
text links (`_ext/reglab_book.py`), so the site works with no network.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(ROOT))

import reglab  # noqa: E402  (imports no TensorFlow)

project = "reglab"
author = "the reglab authors"
copyright = "the reglab authors; code MIT, notebook text and figures CC BY 4.0"
release = version = reglab.__version__

root_doc = "README"
# The book is the README, the notebooks in course order and CONTRIBUTING; nothing else in the
# repository is a page (exclusions keep Sphinx from walking .venv and build outputs).
include_patterns = ["README.md", "CONTRIBUTING.md", "notebooks/*.ipynb"]
exclude_patterns = [".venv", "build", "dist", ".git", "**/.ipynb_checkpoints", "assignments", "tests"]

extensions = [
    "myst_nb",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/: no CDN
    "reglab_book",
]

# --- notebooks: rendered from their committed outputs --------------------------------------------
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README and notebook section links (#three-ways-to-run) resolve

# --- HTML -----------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = f"reglab {release}"
html_static_path = ["_static"]
html_extra_path = ["_extra"]  # index.html: the site root opens the README page
html_css_files = ["reglab.css"]
# pydata-sphinx-theme logs a console error on a first visit unless a default colour mode is set.
html_context = {"default_mode": "auto"}
# Search result summaries are fetched page by page, which browsers refuse for file:// pages (a
# console error per result): a book opened from disk would show errors. Titles only.
html_show_search_summary = False
html_theme_options = {
    "repository_url": "https://github.com/reglab-edu/reglab",
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
}
