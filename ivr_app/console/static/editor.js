// The flow editor: line numbers with the loader's errors marked at their lines, checked
// again as the supervisor types; clicking an error goes to its line. While it is open, it
// says which version answers calls, whether one went live after the version being edited,
// and why the file on disk is refused, if it is.
"use strict";

(() => {
  const {t, el, fill, post} = Console;
  const input = document.getElementById("text-input");
  const gutter = document.getElementById("gutter");
  const status = document.getElementById("check-status");
  let badLines = new Set(
    [...document.querySelectorAll("#problems li")].map((li) => Number(li.dataset.line)));
  let timer = null;

  function drawGutter() {
    const count = input.value.split("\n").length;
    const lines = [];
    for (let n = 1; n <= count; n++) {
      lines.push(badLines.has(n) ? el("span", {class: "bad-line", "data-line": n}, String(n))
                                 : String(n) + "\n");
    }
    gutter.replaceChildren(...lines);
    gutter.scrollTop = input.scrollTop;
  }

  function goTo(line) {
    const before = input.value.split("\n").slice(0, line - 1).join("\n").length;
    const start = line > 1 ? before + 1 : 0;
    const end = input.value.indexOf("\n", start);
    input.focus();
    input.setSelectionRange(start, end < 0 ? input.value.length : end);
    const lineHeight = parseFloat(getComputedStyle(input).lineHeight) || 19;
    input.scrollTop = Math.max(0, (line - 5) * lineHeight);
    gutter.scrollTop = input.scrollTop;
  }

  function showProblems(problems) {
    badLines = new Set(problems.map((p) => p.line));
    fill("problems", problems.map((p) => el("li", {"data-line": p.line},
      el("a", {href: "#", "data-line": p.line}, t("line_col", {line: p.line, column: p.column})),
      ": " + p.message + " [" + p.rule + "]")));
    drawGutter();
  }

  async function check() {
    try {
      const answer = await post(input.dataset.check, {text: input.value});
      showProblems(answer.problems);
      status.textContent = answer.version ? t("ok") + " · " + t("version") + " " + answer.version
                                          : t("problems", {n: answer.problems.length});
      status.className = answer.version ? "ok" : "bad";
      document.dispatchEvent(new CustomEvent("flow-checked", {detail: answer}));
    } catch (error) {
      status.textContent = error.message;
    }
  }

  input.addEventListener("input", () => {
    drawGutter();
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  });
  input.addEventListener("scroll", () => { gutter.scrollTop = input.scrollTop; });
  // Tab indents, as YAML wants spaces; Esc then Tab leaves the editor, as a keyboard needs.
  let leaving = false;
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") leaving = true;
    if (event.key !== "Tab" || leaving || event.shiftKey) {
      if (event.key !== "Escape") leaving = false;
      return;
    }
    event.preventDefault();
    input.setRangeText("  ", input.selectionStart, input.selectionEnd, "end");
    input.dispatchEvent(new Event("input"));
  });
  document.getElementById("problems").addEventListener("click", (event) => {
    const line = event.target.dataset.line;
    if (!line) return;
    event.preventDefault();
    goTo(Number(line));
  });
  const standing = document.getElementById("standing");
  Console.poll(standing.dataset.url, (now) => {
    const base = standing.dataset.base;
    fill("answering", now.serving ? t("answering", {version: now.serving}) : t("none_answering"));
    const changed = document.getElementById("live-changed");
    changed.hidden = now.live === base;
    changed.textContent = t("live_changed", {live: now.live || "—", base: base || "—"});
    document.getElementById("disk-refused").hidden = !now.refused.length;
    fill("disk-problems", now.refused.join("\n"));
  }, 3000);

  drawGutter();
  check();
})();
