// The editor's text tried on a recorded day: the day's calls, replayed on the server
// (call/replay.py), shown as how they end with what happened beside them, and the calls
// that would end elsewhere.
"use strict";

(() => {
  const {t, el, fill, post} = Console;
  const box = document.getElementById("replay");
  const text = document.getElementById("text-input");

  function where(w) {
    return t("replay_" + w.ending) + (w.node ? " · " + w.node : "");
  }

  function shown(value) {
    return value === null || value === undefined ? "—" : String(value);
  }

  function result(day) {
    const real = day.happened, draft = day.draft;
    const rows = Object.keys(real.endings).map((name) =>
      [t("replay_" + name), String(real.endings[name]), String(draft.endings[name])]);
    rows.push([t("replay_refused"), String(real.calls_with_refused_answers),
               String(draft.calls_with_refused_answers)],
              [t("replay_questions"), shown(real.to_person_questions_median),
               shown(draft.to_person_questions_median)],
              [t("replay_seconds"), shown(real.to_person_seconds_median),
               shown(draft.to_person_seconds_median)]);
    const places = [...new Set([...Object.keys(real.people_at), ...Object.keys(draft.people_at)])];
    places.sort().forEach((at) => rows.push([t("replay_person_at", {where: at}),
      String(real.people_at[at] || 0), String(draft.people_at[at] || 0)]));
    const left = Object.entries(day.left_out).map(([why, n]) =>
      el("p", {class: "muted"}, t("replay_left", {n, why: t("replay_" + why)})));
    return [el("p", {}, t("replay_calls", {n: day.calls})), ...left,
      Lists.table([t("replay_what"), t("replay_happened"), t("replay_draft")], rows),
      el("h3", {}, t("replay_changed")),
      Lists.table([t("replay_call"), t("replay_happened"), t("replay_draft")],
        day.changed.map((c) => [el("span", {title: c.sid}, c.sid.slice(0, 8) + "…" + c.sid.slice(-4)),
          where(c.happened), where(c.draft)]), t("replay_same"))];
  }

  document.getElementById("replay-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const day = document.getElementById("replay-day").value;
    try {
      fill("replay-result", ...result(await post(box.dataset.url, {text: text.value, day})));
    } catch (error) {
      fill("replay-result", el("p", {class: "bad"}, error.message));
    }
  });
})();
