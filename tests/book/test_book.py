"""The built book, opened as a reader would: every page in headless Chromium, with no network.

`site_checks.check_page` fails a page on console errors, requests that leave the site, unrendered
math, images that did not load and internal links to missing files or anchors. The tests below run
it on every page of the book, check the book's structure (front page, table of contents in course
order, every figure of every notebook, links between notebooks, search), and feed it deliberately
broken pages to show that each check can fail.

Marked `book`; `make book-test` builds the book and runs them (`pytest -m book tests/book` builds
its own copy). Skipped, with the reason, without Chromium or playwright.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from site_checks import check_page

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
NOTEBOOK_PAGES = [f"notebooks/{path.stem}.html" for path in NOTEBOOKS]
PAGES = ["README.html", "CONTRIBUTING.html", "genindex.html", "search.html", *NOTEBOOK_PAGES]
SEARCH = "search.html?q=proximal"  # a word of notebook 03, which the search must find

pytestmark = pytest.mark.book


def markdown(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def url(site: Path, page: str) -> str:
    return (site / page.split("?")[0]).as_uri() + (f"?{page.split('?')[1]}" if "?" in page else "")


# --- every page --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [*PAGES, SEARCH])
def test_page_renders_offline_without_a_problem(page, site, browser):
    problems = check_page(browser, url(site, page), site)
    assert not problems, f"{page}:\n" + "\n".join(problems)


def test_every_page_of_the_site_is_checked(site):
    built = {
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
    }
    assert built == {*PAGES, "index.html"}, f"pages not in PAGES: {sorted(built - set(PAGES))}"


# --- the book's structure ----------------------------------------------------------------------


def test_the_site_opens_on_the_readme(site, browser):
    page = browser.new_page()
    try:
        page.goto((site / "index.html").as_uri())
        page.wait_for_url("**/README.html")
        title = page.locator("h1").first.inner_text()
    finally:
        page.close()
    readme_title = (ROOT / "README.md").read_text().splitlines()[0].removeprefix("# ")
    assert title.strip().rstrip("#").strip() == readme_title


def test_table_of_contents_lists_the_notebooks_in_course_order(site, browser):
    page = browser.new_page()
    try:
        page.goto((site / "README.html").as_uri())
        links = page.eval_on_selector_all(
            "nav.bd-docs-nav a.reference.internal", "links => links.map(a => a.getAttribute('href'))"
        )
    finally:
        page.close()
    assert links == [*NOTEBOOK_PAGES, "CONTRIBUTING.html"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_of_the_notebook_is_in_its_page(path, site):
    stored = sum(
        any(mime.startswith("image/") for mime in output.get("data", {}))
        for cell in json.loads(path.read_text())["cells"]
        for output in cell.get("outputs", [])
    )
    html = (site / "notebooks" / f"{path.stem}.html").read_text()
    shown = len(re.findall(r'<img [^>]*src="\.\./_images/', html))
    assert shown == stored, f"{path.name}: {stored} figures stored, {shown} in the page"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_links_to_other_notebooks_point_to_their_pages(path, site):
    html = (site / "notebooks" / f"{path.stem}.html").read_text()
    for target in re.findall(r"\]\((\d\d-[\w-]+)\.ipynb", markdown(path)):
        assert f'href="{target}.html' in html, f"{path.name}: the link to {target}.ipynb is not a page link"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_display_math_becomes_math_elements(path, site):
    blocks = markdown(path).count("$$") // 2
    html = (site / "notebooks" / f"{path.stem}.html").read_text()
    assert html.count('<div class="math') >= blocks, f"{path.name}: {blocks} $$ blocks, fewer math elements"


def test_search_finds_the_notebook_that_has_the_word(site, browser):
    page = browser.new_page()
    try:
        page.goto(url(site, SEARCH))
        page.wait_for_function("document.querySelectorAll('#search-results li').length > 0", timeout=30_000)
        found = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
    finally:
        page.close()
    assert any(link.endswith("notebooks/03-gradient-updates.html") for link in found), found


# --- each check can fail -----------------------------------------------------------------------

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

BROKEN_PAGES = {
    "raw-math": ("<p>The loss is $$L = \\sum_i w_i^2$$ here.</p>", "raw TeX in the text"),
    "inline-raw-math": ("<p>The weight $w_1$ shrinks.</p>", "raw TeX in the text"),
    "untypeset-math": ('<div class="math notranslate">\\[L = w^2\\]</div>', "unrendered math"),
    "missing-figure": ('<img src="_images/nothing.png" alt="a figure">', "missing figure"),
    "broken-link": ('<a href="nowhere.html">next</a>', "nowhere.html does not exist"),
    "broken-anchor": ('<a href="clean.html#no-such-section">see</a>', "has no anchor #no-such-section"),
    "console-error": ("<script>console.error('boom')</script>", "console error: boom"),
    "uncaught-exception": ("<script>null.property</script>", "uncaught exception"),
    "missing-script": ('<script src="_static/gone.js"></script>', "failed to load"),
    "remote-image": ('<img src="https://example.invalid/b.svg" alt="badge">', "request to outside the site"),
}


def write_page(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.html"
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title></head>"
                    f"<body><h1 id='top'>{name}</h1>{body}</body></html>")  # fmt: skip
    return path


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("broken-site")
    clean = f'<p>Plain text, $5 and $6, <code>$x$</code>.</p><img src="{PIXEL}"><a href="#top">up</a>'
    write_page(folder, "clean", clean + '<a href="clean.html#top">again</a>')
    for name, (body, _) in BROKEN_PAGES.items():
        write_page(folder, name, body)
    return folder


def test_a_clean_page_has_no_problem(broken_site, browser):
    assert check_page(browser, (broken_site / "clean.html").as_uri(), broken_site) == []


@pytest.mark.parametrize("name", list(BROKEN_PAGES))
def test_a_broken_page_is_reported(name, broken_site, browser):
    problems = check_page(browser, (broken_site / f"{name}.html").as_uri(), broken_site)
    expected = BROKEN_PAGES[name][1]
    assert any(expected in problem for problem in problems), f"{name}: expected {expected!r}, got {problems}"
