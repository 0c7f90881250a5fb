"""What the page tests look at: the words a person reads, whether a page fits its window,
and axe-core's accessibility verdict (WCAG 2.1 AA), each read from the live page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ivr_app.call.rehearsal import scorecard
from ivr_app.console.text import LANGUAGES, TEXT
from ivr_app.flow.builtins import LANGUAGE_NAMES
from ivr_app.flow.model import Flow
from ivr_app.line.context import REASONS

WIDTHS = (1024, 1280, 1920)  # the screens agents and supervisors use
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WORD = re.compile(r"[^\W\d]{2,}(?:['’-][^\W\d]+)*")  # single letters are keys and units
CLOCK_WORDS = {"en": "AM PM", "es": ""}  # what each locale writes in a time

# Every piece of text a person reads: text nodes and the names of controls. Left out: what
# the reader typed or edits (inputs, the flow's YAML), codes (versions), and text whose own
# `lang` declares its language apart from the page's (the names on the language switch).
# Given a selector, only that part.
READ_TEXT = """(part) => {
  const top = part ? document.querySelector(part) : document.body;
  const skip = (el) => el.closest("script, style, textarea, code, [hidden], body [lang]");
  const found = [];
  const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (node.textContent.trim() && !skip(el) && (el.getClientRects().length || el.closest("svg"))) {
      found.push(node.textContent.trim());
    }
  }
  for (const el of top.querySelectorAll("[placeholder], [aria-label], [title], option")) {
    if (skip(el)) continue;
    const option = el.tagName === "OPTION" ? el.textContent : null;
    for (const text of [el.getAttribute("placeholder"), el.getAttribute("aria-label"),
                        el.getAttribute("title"), option]) {
      if (text && text.trim()) found.push(text.trim());
    }
  }
  return found;
}"""

# Whether the page is wider than the window, a table wider than its card, or a table has a
# column without a header.
LAYOUT = """() => {
  const problems = [];
  const wide = document.documentElement.scrollWidth;
  if (wide > window.innerWidth) problems.push("page " + wide + " px wide in " + window.innerWidth);
  for (const table of document.querySelectorAll("table")) {
    if (!table.getClientRects().length) continue;
    const card = table.closest(".card");
    const style = getComputedStyle(card);
    const inner = card.getBoundingClientRect().right - parseFloat(style.paddingRight) -
      parseFloat(style.borderRightWidth);
    const name = (card.querySelector("h1, h2") || {}).textContent || table.id;
    const over = Math.round(table.getBoundingClientRect().right - inner);
    if (over > 1) problems.push("table in '" + name + "' is cut off: " + over + " px");
    const headers = [...table.querySelectorAll("thead th")];
    const rows = [...table.querySelectorAll("tbody tr")];
    const widest = Math.max(0, ...rows.map((r) => r.cells.length));
    if (headers.length < widest || headers.some((h) => !h.textContent.trim())) {
      problems.push("table in '" + name + "' has a column without a header");
    }
  }
  return problems;
}"""


def table_words(lang: str, flow: Flow) -> set[str]:
    """The words the text tables give `lang`: the console's, the line's reasons, the flow's
    names for its queues, reasons and topics, and its audit's evidence (worded in each
    language where it is found, flow/wording.py)."""
    texts = [*TEXT[lang].values(), *REASONS.get(lang, {}).values(),
             *LANGUAGE_NAMES[lang].values(), *LANGUAGES, CLOCK_WORDS[lang],
             *(point.said.render(lang) for point in scorecard(flow))]
    for names in (flow.queue_names, flow.reason_names,
                  flow.returning.topics if flow.returning else {}):
        texts += [by_lang[lang] for by_lang in names.values() if lang in by_lang]
    return words(" ".join(texts))


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def foreign_words(texts: list[str], allowed: set[str]) -> list[str]:
    """The pieces of text holding a word that is neither in the tables nor data."""
    return sorted({text for text in texts if words(text) - allowed})


def axe_violations(page: Any, source: str) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def axe_source() -> str:
    """axe-core's script, as the axe-playwright-python package ships it."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(
        encoding="utf-8")
