// What the agent's screen and the board both show: queues, callbacks, voice messages and a
// call's story. Every value goes in as text (Console.el), never as markup, and every word
// of the interface comes from the reader's text table.
"use strict";

const Lists = (() => {
  const {t, el, seconds, clock, time} = Console;

  // A header over every column; long values wrap inside their cell (console.css). An empty
  // list says so in the gender of what it lists ("Ninguna" devolución, "Ninguno" mensaje).
  function table(headers, rows, empty) {
    if (!rows.length) return el("p", {class: "muted"}, empty || t("none"));
    return el("table", {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", {scope: "col"}, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))));
  }

  // The wait a caller was told, in the words they heard it (the server words it), or none.
  function told(wasTold, said) {
    return wasTold ? said : t("not_told");
  }

  function queues(list) {
    return list.map((queue) => el("div", {class: "queue", "data-queue": queue.name},
      el("h3", {}, queue.label, " ", el("span", {class: "count"}, String(queue.count))),
      table([t("position"), t("caller"), t("topic"), t("waited"), t("estimate")],
        queue.waiting.map((w) => [String(w.position), w.caller + (w.callback ? " ↺" : ""),
          w.topic_shown, seconds(w.waited_s), told(w.told, w.estimate_said)]),
        t("nobody_waiting")),
      queue.count > queue.waiting.length ?
        el("p", {class: "more"}, t("more_waiting", {n: queue.count - queue.waiting.length})) : ""));
  }

  function callbackState(state) {
    return t("cb_" + state);
  }

  // The texts a callback's customer was sent, oldest first: when, and what they read.
  function texts(list) {
    return (list || []).map((m) => el("div", {}, t("texts") + ", " + clock(m.at) + ": " + m.body));
  }

  // A callback's state, and how many texts its customer was sent (their words are in the
  // story of a call from that number).
  function callbacks(list) {
    return table([t("due"), t("callback_number"), t("queue"), t("reason"), t("state"), t("attempts")],
      list.map((c) => [el("span", {class: c.late ? "late" : ""}, clock(c.due), c.late ? " ⚠ " + t("late") : ""),
        c.number, c.queue_name, c.reason_shown,
        callbackState(c.state) + ((c.texts || []).length ? " ✉ " + c.texts.length : ""),
        c.attempts + "/" + c.max_attempts]));
  }

  function messages(list) {
    return table([t("when"), t("callback_number"), t("queue"), t("play")],
      list.map((m) => [clock(m.requested), m.number, m.queue_name,
        el("audio", {controls: true, preload: "none", "aria-label": t("play") + " " + m.number,
          src: "/console/agent/messages/" + encodeURIComponent(m.id)})]), t("none_m"));
  }

  function definitions(pairs) {
    return el("dl", {class: "facts"}, pairs.filter((p) => p[1] !== null && p[1] !== "")
      .flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
  }

  function wrapUp(entry) {
    return entry ? t("code_" + entry.code) + (entry.note ? ": " + entry.note : "") : "";
  }

  // How an earlier call ended, with the state of the callback it asked for.
  function outcome(e) {
    const callback = e.callback_state ? t("callback") + ": " + callbackState(e.callback_state) : "";
    if (e.outcome === "callback" && callback) return callback;
    return t(e.outcome) + (callback ? " (" + callback + ")" : "");
  }

  // Everything the call gathered, so the caller never repeats it.
  function story(call) {
    const variables = Object.entries(call.variables || {});
    // the question about an earlier call is the line's own, not a node of the flow
    const path = (call.path || []).map((step) => [time(step.at),
      step.node === "remembered" ? t("step_remembered") : step.node,
      t("ev_" + step.event) + (step.input ? ": " + step.input : "")]);
    return [
      definitions([[t("caller"), call.caller],
        [t("language"), call.language_name + (call.language_remembered ? " (" + t("language_remembered") + ")" : "")],
        [t("queue"), call.queue_name], [t("reason"), call.reason_shown],
        [t("wait_told"), told(call.wait_told, call.wait_told_said)],
        [t("wait_had"), call.wait_had_s === undefined ? null : seconds(call.wait_had_s)]]),
      el("h3", {}, t("variables")),
      variables.length ? definitions(variables) : el("p", {class: "muted"}, t("none_m")),
      el("h3", {}, t("said")),
      table([t("when"), t("step"), t("words")], (call.said || []).map((s) => [time(s.at), s.node, s.text]),
        t("nothing")),
      el("h3", {}, t("notes")),
      (call.notes || []).length ? el("ul", {}, call.notes.map((n) => el("li", {}, n)))
        : el("p", {class: "muted"}, t("none")),
      el("h3", {}, t("path")),
      table([t("when"), t("step"), t("what")], path, t("none_m")),
      el("h3", {}, t("earlier")),
      table([t("when"), t("state"), t("reason"), t("wrap_note")],
        [...(call.callbacks || []).map((c) => [clock(c.due), t("callback") + ": " + callbackState(c.state), c.reason_shown,
            el("div", {}, texts(c.texts))]),
         ...(call.earlier || []).map((e) => [clock(e.started), outcome(e),
          e.reason_shown, el("div", {}, wrapUp(e.wrap_up), texts(e.texts))])]),
    ];
  }

  return {table, queues, callbacks, messages, story, definitions};
})();
