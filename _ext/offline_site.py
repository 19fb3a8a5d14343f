"""Sphinx extension: keep the website free of scripts from other hosts.

Jupyter Book 1 always loads sphinx-thebe, which writes an inline script declaring
``THEBE_JS_URL`` (a CDN address) twice per page, a console error even when Thebe is
off. This extension drops the Thebe scripts from every page and turns any remaining
script with an absolute http(s) address into a build warning, which the strict
build (``-W``) makes an error.
"""

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _is_thebe(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "")
    return "thebe" in str(getattr(script, "filename", script) or "") or "THEBE_JS_URL" in body


def _is_remote(script) -> bool:
    return str(getattr(script, "filename", script) or "").startswith(("http:", "https:", "//"))


def keep_scripts_local(app, pagename, templatename, context, doctree):
    """Remove the Thebe scripts; warn about any script loaded from another host."""
    scripts = [s for s in context.get("script_files", []) if not _is_thebe(s)]
    for script in filter(_is_remote, scripts):
        logger.warning("page %s loads a script from another host: %s", pagename, script)
    context["script_files"] = scripts
    context["css_files"] = [c for c in context.get("css_files", []) if "thebe" not in str(c)]


def setup(app):
    app.connect("html-page-context", keep_scripts_local)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
