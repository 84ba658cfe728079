"""What a reader's browser would show wrong on a page of the built book.

`check_page` opens one page of a built site in headless Chromium, with every request that leaves
the site refused (the book must work with no network), and returns one line per problem:

- console errors, uncaught exceptions and failed loads (a missing stylesheet, script or font);
- requests to anything outside the site (a CDN, a remote badge);
- unrendered math: a `.math` element MathJax did not typeset, or TeX delimiters left in the text;
- missing figures: an image that did not load (`naturalWidth == 0`);
- broken internal links: a link to a file of the site that does not exist, or to an anchor that
  the target page does not have.

The tests in test_book.py feed it deliberately broken pages, to show each check can fail.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

MATHJAX_TIMEOUT_MS = 30_000

# Text a reader would see if math were not typeset: $$..$$, \(..\), \[..\], \begin{..}, $x$.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|(?<![\w$])\$[^$\s][^$\n]*?[^$\s\\]\$(?![\w$])")

# Runs in the page once it has loaded: wait for MathJax, then report what the reader sees.
INSPECT_JS = """
async (MATHJAX_TIMEOUT_MS) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    const timeout = new Promise((done) => setTimeout(done, MATHJAX_TIMEOUT_MS));
    await Promise.race([MathJax.startup.promise, timeout]);  // then untypeset math is reported
  }
  const images = await Promise.all([...document.images].map(async (img) => {
    if (!img.complete) {
      await new Promise((done) => {
        img.addEventListener('load', done);
        img.addEventListener('error', done);
      });
    }
    return {src: img.getAttribute('src'), naturalWidth: img.naturalWidth};
  }));
  const math = [...document.querySelectorAll('.math')].map((el) => ({
    typeset: el.querySelector('mjx-container') !== null || el.tagName.startsWith('MJX'),
    text: el.textContent.trim().slice(0, 80),
  }));
  const skip = 'pre, code, script, style, textarea, mjx-container, .math';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skip) && node.textContent.trim()) texts.push(node.textContent);
  }
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.href);
  return {images, math, texts, links};
}
"""


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.names.add(value or "")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The ids (and `<a name>`s) a stored HTML page defines."""
    parser = _Anchors()
    parser.feed(path.read_text(errors="replace"))
    return frozenset(parser.names)


def is_inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def broken_link(href: str, site: Path) -> str | None:
    """Why an internal link (file:// URL) of the site at `site` is broken, or None if it works.

    Examples
    --------
    >>> import tempfile
    >>> site = Path(tempfile.mkdtemp())
    >>> _ = (site / "a.html").write_text('<h1 id="top">A</h1>')
    >>> broken_link((site / "a.html").as_uri() + "#top", site) is None
    True
    >>> broken_link((site / "a.html").as_uri() + "#nowhere", site)
    'a.html has no anchor #nowhere'
    >>> broken_link((site / "b.html").as_uri(), site)
    'b.html does not exist'
    """
    address, fragment = urldefrag(href)
    path = Path(unquote(urlparse(address).path)).resolve()
    if not is_inside(path, site):
        return f"{path} is outside the site"
    if path.is_dir():
        path = path / "index.html"
    name = path.relative_to(site).as_posix()
    if not path.is_file():
        return f"{name} does not exist"
    fragment = unquote(fragment)
    if fragment and path.suffix == ".html" and fragment not in anchors(path):
        return f"{name} has no anchor #{fragment}"
    return None


def raw_tex(texts: list[str]) -> list[str]:
    """The pieces of visible text that look like TeX left untypeset.

    Examples
    --------
    >>> raw_tex(["the loss $$L = w^2$$", "costs 5 dollars", r"where \\(x\\) is"])
    ['the loss $$L = w^2$$', 'where \\\\(x\\\\) is']
    >>> raw_tex(["inline $w_1 + w_2$ here"])
    ['inline $w_1 + w_2$ here']
    """
    return [" ".join(text.split())[:120] for text in texts if RAW_TEX.search(text)]


def check_page(browser, url: str, site: Path) -> list[str]:
    """Open `url` (a file:// URL of a page of the site in folder `site`) and list its problems."""
    site = site.resolve()
    problems: list[str] = []
    page = browser.new_page()

    def refuse_outside(route) -> None:
        request_url = route.request.url
        if request_url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            problems.append(f"request to outside the site: {request_url}")
            route.abort()

    page.route("**/*", refuse_outside)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.on(
        "requestfailed",
        lambda r: r.url.startswith("file:") and problems.append(f"failed to load {r.url}: {r.failure}"),
    )
    try:
        page.goto(url, wait_until="load")
        seen = page.evaluate(INSPECT_JS, MATHJAX_TIMEOUT_MS)
        page.wait_for_timeout(100)  # late console messages (fonts, deferred scripts)
    finally:
        page.close()

    for image in seen["images"]:
        if image["naturalWidth"] == 0:
            problems.append(f"missing figure: img src={image['src']!r} did not load")
    for math in seen["math"]:
        if not math["typeset"]:
            problems.append(f"unrendered math: {math['text']!r}")
    problems += [f"raw TeX in the text: {text!r}" for text in raw_tex(seen["texts"])]
    for href in seen["links"]:
        if href.startswith("file:"):
            reason = broken_link(href, site)
            if reason:
                problems.append(f"broken internal link {href}: {reason}")
    return problems
