// The demo line's calls (no Twilio account): answer for the agent or the customer called.
"use strict";

window.DemoLegs = (() => {
  const {t, el, fill, post} = Console;
  let last = 0;

  function act(sid, action, digits) {
    post("/console/demo/calls/" + encodeURIComponent(sid) + "/" + action, {digits})
      .then(() => setTimeout(refresh, 400), () => {});
  }

  // What a placed call is for, from the webhook Twilio fetches when it is answered.
  function purpose(url) {
    const path = new URL(url, location.href).pathname;
    return t(path.startsWith("/agent/") ? "purpose_agent"
      : path.startsWith("/callback/") ? "purpose_callback" : "purpose_other");
  }

  async function refresh(force) {
    if (!document.getElementById("legs") || (!force && Date.now() - last < 1500)) return;
    last = Date.now();
    const response = await fetch("/console/demo/calls", {credentials: "same-origin", cache: "no-store"});
    if (!response.ok) return;
    const {calls} = await response.json();
    fill("legs", Lists.table([t("to"), t("purpose"), t("state"), t("try_heard"), t("actions")],
      calls.map((c) => [c.to, purpose(c.url), t("call_" + c.status),
        [c.hears, c.room ? t(c.talking ? "demo_in_room" : "demo_waiting_room") : ""]
          .filter(Boolean).join(" "),
        el("span", {},
          ["queued", "ringing"].includes(c.status) ? el("button", {onclick: () => act(c.sid, "answer")}, t("answer")) : null,
          c.asks ? el("button", {onclick: () => act(c.sid, "press", "1")}, t("press") + " 1") : null,
          c.status === "in-progress" ? el("button", {onclick: () => act(c.sid, "hangup")}, t("hang_up")) : null)])));
  }

  return {refresh};
})();
