"""Browser checks of the built website (``make book`` first; ``make test`` does both).

Every page is opened in headless Chromium with every host but 127.0.0.1 unreachable.
On each page: no request leaves localhost, the console has no error, MathJax has
rendered every formula, every image has loaded, and every slider of every explorer
changes what the page shows. A full-page screenshot of each page goes to
``_build/screenshots/``. Links are checked from the HTML without a browser:
internal ones must resolve; external ones are listed in ``_build/external-links.txt``,
never fetched.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static"}


def site_pages() -> list[str]:
    """Every HTML page of the site, relative to its root."""
    return sorted(
        str(p.relative_to(SITE))
        for p in SITE.rglob("*.html")
        if not SKIP_DIRS.intersection(p.relative_to(SITE).parts)
    )


PAGES = site_pages() if (SITE / "index.html").exists() else []


def test_site_is_built():
    assert PAGES, f"no built site at {SITE}: run `make book` before the browser checks"
    assert "chapters/01-linear-algebra/05-svd.html" in PAGES


@pytest.fixture(scope="session")
def server():
    """Serve the built site on 127.0.0.1 (any free port) for the session."""
    handler = functools.partial(QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium that can reach 127.0.0.1 and nothing else."""
    from selenium import webdriver

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail(
            "Chromium and chromedriver are needed: apt-get install chromium chromium-driver"
        )
    profile = tempfile.mkdtemp(prefix="mathdl-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver_path))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module", params=PAGES)
def page(request, browser, server):
    """Open one page; return what was requested and logged while it loaded and rendered."""
    import json

    browser.get_log("performance")  # drop what earlier pages left
    browser.get_log("browser")
    browser.set_window_size(1280, 1000)
    browser.get(f"{server}/{request.param}")
    browser.execute_async_script(WAIT_FOR_MATHJAX)
    requests = [
        message["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    ]
    console = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    return {"name": request.param, "url": server, "requests": requests, "console": console}


WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const ready = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)
    ? MathJax.startup.promise.then(() => done(true), () => done(false)) : done(null);
if (document.readyState === "complete") { ready(); }
else { window.addEventListener("load", ready); }
"""

VISIBLE_TEXT = """
const copy = document.querySelector("main, body").cloneNode(true);
copy.querySelectorAll("pre, code, script, style, mjx-container, .highlight")
    .forEach(e => e.remove());
return copy.innerText;
"""

MATH_STATUS = """
return {
  formulas: document.querySelectorAll("span.math, div.math").length,
  rendered: document.querySelectorAll("mjx-container").length,
  errors: document.querySelectorAll("mjx-merror, [data-mjx-error]").length,
};
"""

BROKEN_IMAGES = """
const images = Array.from(document.images);
images.forEach(img => img.loading = "eager");
return images.filter(img => !(img.complete && img.naturalWidth > 0))
             .map(img => img.currentSrc.slice(0, 80) || img.outerHTML.slice(0, 80));
"""

MOVE_EVERY_CONTROL = """
const results = [];
// A frame explorer swaps its <img>; a data explorer redraws its canvases (data-state).
const look = (figure) => {
  const image = figure.querySelector("img.mathdl-frame");
  if (image) { return image.src; }
  return figure.dataset.state + Array.from(figure.querySelectorAll("canvas"))
      .map(c => c.toDataURL()).join("");
};
document.querySelectorAll("figure.mathdl-explorer").forEach((figure, f) => {
  figure.querySelectorAll(".mathdl-control input, .mathdl-control select").forEach((c, k) => {
    const before = look(figure);
    const select = c.tagName === "SELECT";
    const start = select ? c.selectedIndex : c.value;
    if (select) { c.selectedIndex = (c.selectedIndex + 1) % c.options.length; }
    else { c.value = c.value === c.max ? c.min : c.max; }
    c.dispatchEvent(new Event(select ? "change" : "input", {bubbles: true}));
    results.push({explorer: f, control: k, changed: look(figure) !== before});
    if (select) { c.selectedIndex = start; } else { c.value = start; }
    c.dispatchEvent(new Event(select ? "change" : "input", {bubbles: true}));
  });
});
return results;
"""


def test_no_request_leaves_localhost(page):
    local = (page["url"], "data:", "blob:", "about:", "chrome:")  # chrome: is the browser itself
    outside = [u for u in page["requests"] if not u.startswith(local)]
    assert not outside, f"{page['name']} requested other hosts: {outside}"


def test_no_console_errors(page):
    assert not page["console"], f"{page['name']} console errors: {page['console']}"


def test_math_is_rendered(page, browser):
    status = browser.execute_script(MATH_STATUS)
    assert status["errors"] == 0, f"{page['name']}: MathJax reported errors: {status}"
    if status["formulas"]:
        assert status["rendered"] >= status["formulas"], f"{page['name']}: unrendered math {status}"
    text = browser.execute_script(VISIBLE_TEXT)
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in text, f"{page['name']}: raw {raw!r} in the visible text"


def test_every_image_loads(page, browser):
    broken = browser.execute_script(BROKEN_IMAGES)
    assert not broken, f"{page['name']}: images that did not load: {broken}"


WAIT_FOR_DATA = """
const done = arguments[arguments.length - 1];
const check = () => Array.from(document.querySelectorAll("figure.mathdl-data-explorer"))
    .every(f => f.dataset.ready === "yes") ? done(true) : setTimeout(check, 100);
check();
"""


def test_every_control_changes_the_figure(page, browser):
    browser.execute_async_script(WAIT_FOR_DATA)
    moves = browser.execute_script(MOVE_EVERY_CONTROL)
    still = [m for m in moves if not m["changed"]]
    assert not still, f"{page['name']}: controls that change nothing: {still}"
    if page["name"] == "chapters/01-linear-algebra/05-svd.html":
        assert len(moves) == 5, f"expected the matrix (4 sliders) and rank (1) explorers: {moves}"


DESCENT_PAGE = "chapters/05-optimization/02-gradient-descent.html"

SET_CONTROL = """
const [name, value] = arguments;
const figure = document.querySelector("figure.mathdl-data-explorer");
const names = JSON.parse(figure.querySelector("script.mathdl-data").textContent).controls;
const all = figure.querySelectorAll(".mathdl-control input, .mathdl-control select");
const c = all[names.indexOf(name)];
if (c.tagName === "SELECT") {
  c.selectedIndex = Array.from(c.options).findIndex(o => o.text === value);
} else { c.value = JSON.parse(c.dataset.values).map(Number).findIndex(v => v === Number(value)); }
c.dispatchEvent(new Event("input", {bubbles: true}));
return [figure.querySelector(".mathdl-status").textContent,
        window.mathdlExplorers[0].trajectory().slice(0, 5)];
"""


def test_descent_explorer_divergence_and_data(browser, server):
    if DESCENT_PAGE not in PAGES:
        pytest.skip(f"{DESCENT_PAGE} is not in the built site")
    import numpy as np

    from mathdl.explorers.optimization import LR_VALUES, QUADRATIC_L, trajectory

    browser.get(f"{server}/{DESCENT_PAGE}")
    browser.execute_async_script(WAIT_FOR_DATA)
    for name, value in (("function", "quadratic"), ("optimizer", "GD"), ("steps", "100")):
        browser.execute_script(SET_CONTROL, name, value)
    edge = 2 / QUADRATIC_L
    above = min(v for v in LR_VALUES if v > 1.1 * edge)
    below = max(v for v in LR_VALUES if v < 0.9 * edge)
    status, _ = browser.execute_script(SET_CONTROL, "lr", above)
    assert status.startswith("diverged at step"), status
    status, points = browser.execute_script(SET_CONTROL, "lr", below)
    assert "diverged" not in status, status
    kappa, start = browser.execute_script(
        "const f = document.querySelector('figure.mathdl-data-explorer');"
        "const c = f.querySelectorAll('.mathdl-control input, .mathdl-control select');"
        "return [Number(c[1].nextElementSibling.textContent), c[6].value || "
        "c[6].options[c[6].selectedIndex].text];"
    )
    expected = trajectory("quadratic", "GD", below, 0.0, 100, start, kappa)["points"][:5]
    assert np.abs(np.array(points) - expected).max() < 6 * 3 / 65535 * 2


def test_screenshot(page, browser):
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height, 800), 16000))
    target = SHOTS / page["name"].replace("/", "__").replace(".html", ".png")
    target.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(target)), f"could not save {target}"


# -- links, from the HTML, no browser ---------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") == "preconnect"):
                self.hrefs.append(attrs[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_links_resolve_and_external_ones_are_listed():
    assert PAGES, "no built site: run `make book`"
    parsed = {name: _parse(SITE / name) for name in PAGES}
    broken, external = [], set()
    for name, links in parsed.items():
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                external.add(href)
                continue
            if parts.scheme in ("data", "javascript"):
                continue
            path, anchor = parts.path, parts.fragment
            target = (SITE / name).parent / unquote(path) if path else SITE / name
            target = target.resolve()
            if not target.exists():
                broken.append(f"{name}: {href}")
            elif anchor and target.suffix == ".html":
                rel = str(target.relative_to(SITE))
                ids = parsed[rel].ids if rel in parsed else _parse(target).ids
                if anchor not in ids:
                    broken.append(f"{name}: {href} (no id {anchor!r})")
    (SITE.parent / "external-links.txt").write_text("".join(f"{u}\n" for u in sorted(external)))
    assert not broken, "broken internal links:\n" + "\n".join(broken)


PAGE_BUDGET = 4_000_000  # bytes: HTML (with inline explorer frames) plus its images


def test_page_weight_within_budget():
    """Write the bytes of every page to _build/page-weights.txt; no page may exceed the budget."""
    assert PAGES, "no built site: run `make book`"
    weights = {}
    for name in PAGES:
        page = SITE / name
        images = {
            (page.parent / unquote(urlsplit(src).path)).resolve()
            for src in _parse(page).hrefs
            if "_images/" in src and not urlsplit(src).scheme
        }
        weights[name] = page.stat().st_size + sum(p.stat().st_size for p in images if p.exists())
    report = "".join(f"{w:>12,}  {name}\n" for name, w in sorted(weights.items()))
    (SITE.parent / "page-weights.txt").write_text(report)
    heavy = {name: w for name, w in weights.items() if w > PAGE_BUDGET}
    assert not heavy, f"pages over {PAGE_BUDGET:,} bytes: {heavy}"
