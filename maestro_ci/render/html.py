"""The summary page as one standalone HTML file, from the same Markdown.

Markdown is rendered with ``markdown-it-py`` (CommonMark plus tables). Raw
HTML is limited to the few harmless tags our pages use (``details``,
``summary``...): anything else is shown as text, so a file name or a message
can never inject markup. Mermaid blocks become ``<pre class="mermaid">``:
readable as text offline, drawn as charts when the Mermaid script loads.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it.token import Token

_ALLOWED = "details|summary|br|b|i|em|strong|code|kbd|sub|sup|p|span|ul|ol|li"
_TAG = re.compile(r"<!--.*?-->|<[^<>]*>", re.DOTALL)
_SAFE_TAG = re.compile(rf"^<(/?)({_ALLOWED})(\s+open)?\s*/?>$", re.IGNORECASE)
_SLUG = re.compile(r"[^a-z0-9]+")

STYLE = """
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;
line-height:1.5;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1,h2{border-bottom:1px solid #d0d7de;padding-bottom:.3em}
table{border-collapse:collapse;margin:1em 0;display:block;overflow:auto}
th,td{border:1px solid #d0d7de;padding:.3em .7em;text-align:left;vertical-align:top}
tr:nth-child(2n){background:#f6f8fa}
code{background:#eff1f3;padding:.1em .3em;border-radius:4px}
pre{background:#f6f8fa;padding:1em;overflow:auto;border-radius:6px}
pre.mermaid{background:#fff;border:1px dashed #d0d7de}
details{margin:.5em 0}summary{cursor:pointer}
blockquote{border-left:.25em solid #d0d7de;margin:0;padding:0 1em;color:#59636e}
"""


def _filter_html(text: str) -> str:
    def keep(match: re.Match[str]) -> str:
        tag = match.group(0)
        if tag.startswith("<!--") or _SAFE_TAG.match(tag):
            return tag
        return html.escape(tag)

    return _TAG.sub(keep, text)


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "section"


def _renderer() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")

    def fence(_self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        info = token.info.strip().split(" ", 1)[0]
        if info == "mermaid":
            return f'<pre class="mermaid">{html.escape(token.content)}</pre>\n'
        lang = f' class="language-{html.escape(info)}"' if info else ""
        return f"<pre><code{lang}>{html.escape(token.content)}</code></pre>\n"

    def raw(_self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return _filter_html(tokens[idx].content)

    md.add_render_rule("fence", fence)
    md.add_render_rule("html_block", raw)
    md.add_render_rule("html_inline", raw)
    return md


def _add_heading_ids(tokens: list[Token]) -> None:
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            base = slug(tokens[index + 1].content.split(" — ", 1)[0])
            seen[base] = seen.get(base, 0) + 1
            token.attrSet("id", base if seen[base] == 1 else f"{base}-{seen[base]}")


def markdown_to_html(markdown: str) -> str:
    md = _renderer()
    tokens = md.parse(markdown)
    _add_heading_ids(tokens)
    return str(md.renderer.render(tokens, md.options, {}))


def render_html(markdown: str, title: str, mermaid_script: str = "") -> str:
    """A standalone page; ``mermaid_script`` is the URL of the Mermaid ES module, or empty."""
    body = markdown_to_html(markdown)
    script = ""
    if mermaid_script:
        script = (
            f'<script type="module">import mermaid from "{html.escape(mermaid_script, quote=True)}";'
            "mermaid.initialize({startOnLoad:true});</script>\n"
        )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n{script}</head>\n"
        f'<body>\n<main class="maestro-summary">\n{body}</main>\n</body>\n</html>\n'
    )
