// What the agent's screen and the board both show: queues, callbacks, voice messages and a
// call's story. Every value goes in as text (Console.el), never as markup.
"use strict";

const Lists = (() => {
  const {t, el, seconds, clock} = Console;

  function table(headers, rows, empty) {
    if (!rows.length) return el("p", {class: "muted"}, empty || t("none"));
    return el("table", {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))));
  }

  function queues(list) {
    return list.map((queue) => el("div", {class: "queue", "data-queue": queue.name},
      el("h3", {}, queue.name, " ", el("span", {class: "count"}, String(queue.waiting.length))),
      table([t("position"), t("caller"), t("topic"), t("waited"), t("estimate")],
        queue.waiting.map((w) => [String(w.position), w.caller + (w.callback ? " ↺" : ""),
          w.topic, seconds(w.waited_s), seconds(w.estimate_s)]),
        t("nobody_waiting"))));
  }

  function callbacks(list) {
    return table([t("due"), t("callback_number"), t("queue"), t("reason"), t("state"), t("attempts")],
      list.map((c) => [el("span", {class: c.late ? "late" : ""}, clock(c.due), c.late ? " ⚠ " + t("late") : ""),
        c.number, c.queue, c.reason, c.state, c.attempts + "/" + c.max_attempts]));
  }

  function messages(list) {
    return table([t("when"), t("callback_number"), t("queue"), t("play")],
      list.map((m) => [clock(m.requested), m.number, m.queue,
        el("audio", {controls: true, preload: "none",
          src: "/console/agent/messages/" + encodeURIComponent(m.id)})]));
  }

  function definitions(pairs) {
    return el("dl", {class: "facts"}, pairs.filter((p) => p[1] !== null && p[1] !== "")
      .flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : "";
  }

  // Everything the call gathered, so the caller never repeats it.
  function story(call) {
    const variables = Object.entries(call.variables || {});
    const path = (call.path || []).map((step) => [time(step.at), step.node,
      step.event + (step.input ? ": " + step.input : "")]);
    return [
      definitions([[t("caller"), call.caller], [t("language"), call.language],
        [t("queue"), call.queue], [t("reason"), call.reason],
        [t("wait_told"), seconds(call.wait_told_s)], [t("wait_had"), seconds(call.wait_had_s)]]),
      el("h3", {}, t("variables")),
      variables.length ? definitions(variables) : el("p", {class: "muted"}, t("none")),
      el("h3", {}, t("said")),
      table([t("when"), "", ""], (call.said || []).map((s) => [time(s.at), s.node, s.text])),
      el("h3", {}, t("notes")),
      (call.notes || []).length ? el("ul", {}, call.notes.map((n) => el("li", {}, n)))
        : el("p", {class: "muted"}, t("none")),
      el("h3", {}, t("path")),
      table([t("when"), "", ""], path),
      el("h3", {}, t("earlier")),
      table([t("when"), t("state"), t("reason"), t("wrap_note")],
        [...(call.callbacks || []).map((c) => [clock(c.due), t("callback") + ": " + c.state, c.reason, ""]),
         ...(call.earlier || []).map((e) => [clock(e.started), t(e.outcome) +
            (e.callback_state ? " (" + t("callback") + ": " + e.callback_state + ")" : ""),
          e.reason, e.wrap_up ? "[" + e.wrap_up.code + "] " + e.wrap_up.note : ""])]),
    ];
  }

  return {table, queues, callbacks, messages, story, definitions};
})();
