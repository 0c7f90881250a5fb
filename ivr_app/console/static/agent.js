// The agent's screen: polls /console/agent/live and acts on the agent's own call.
"use strict";

(() => {
  const {t, el, fill, clock, post, poll} = Console;
  let current = {call: "", status: "", lastCall: ""};
  let wrapUpWanted = false;  // the wrap-up key was pressed before the form showed
  const shown = {};

  // Re-draw a part only when its data changed, so nothing flickers or loses its scroll.
  function update(id, data, draw) {
    const key = JSON.stringify(data);
    if (shown[id] === key) return;
    shown[id] = key;
    fill(id, draw(data));
  }

  function render(data) {
    const missing = document.getElementById("no-agent");
    missing.hidden = !!data.agent;
    if (!data.agent) {
      missing.textContent = t("no_agent", {agent: data.agent_id});
      return;
    }
    const agent = data.agent;
    document.getElementById("status").textContent = t(agent.status);
    document.getElementById("status").dataset.status = agent.status;
    document.getElementById("status-since").textContent = agent.since ? t("since") + " " + clock(agent.since) : "";
    document.getElementById("wrap-up-form").hidden = agent.status !== "wrap-up";
    current.status = agent.status;
    current.lastCall = data.wrap_up_call || "";

    const call = data.call;
    if ((call ? call.call_sid : "") !== current.call) result("", false);  // a new call
    current.call = call ? call.call_sid : "";
    const title = document.getElementById("call-title");
    title.textContent = !call ? t("no_call")
      : agent.status === "offered" ? t("ringing") + ": " + call.caller
      : t("on_call") + " " + call.caller;
    title.className = agent.status === "offered" ? "ringing" : "";
    document.getElementById("call-actions").hidden = !call;
    document.getElementById("accept").hidden = agent.status !== "offered";
    document.getElementById("hangup").hidden = agent.status !== "busy";
    document.getElementById("escalate-form").hidden = agent.status !== "busy";
    document.getElementById("callback-form").hidden = agent.status !== "busy";
    update("call", call, (c) => c ? Lists.story(c) : []);
    update("queues", data.queues, Lists.queues);
    update("callbacks", data.due, Lists.callbacks);
    update("messages", data.messages, Lists.messages);
    if (wrapUpWanted && agent.status === "wrap-up") {
      wrapUpWanted = false;
      document.querySelector("#wrap-up-form select").focus();
    }
  }

  function result(text, failed) {
    const out = document.getElementById("action-result");
    out.textContent = text;
    out.className = failed ? "error" : "saved";
  }

  async function act(url, body, done) {
    try {
      await post(url, body);
      result(done || t("done"), false);
      return true;
    } catch (error) {
      result(error.message, true);
      return false;
    }
  }

  document.querySelectorAll("[data-status]").forEach((button) =>
    button.addEventListener("click", () => act("/console/agent/status", {status: button.dataset.status})));

  document.getElementById("wrap-up-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {call: current.lastCall, code: form.code.value, note: form.note.value};
    if (await act("/console/agent/wrap-up", body)) {
      document.getElementById("wrap-up-saved").textContent = t("done");
    }
  });

  document.getElementById("accept").addEventListener("click", () =>
    act("/console/agent/accept", {call: current.call}));

  document.getElementById("hangup").addEventListener("click", async () => {
    if (await act("/console/agent/hangup", {call: current.call}, t("hung_up"))) wrapUpWanted = true;
  });

  // The listed shortcuts, one key each, unless the agent is typing in a field.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select")) return;
    const key = event.key.toLowerCase();
    const button = {[t("key_accept")]: "accept", [t("key_hangup")]: "hangup"}[key];
    if (button && !document.getElementById(button).hidden) {
      event.preventDefault();
      document.getElementById(button).click();
    } else if (key === t("key_wrap")) {
      event.preventDefault();
      if (current.status === "wrap-up") {
        document.querySelector("#wrap-up-form select").focus();
        return;
      }
      wrapUpWanted = true;  // the form shows, and takes the focus, on the next poll
      if (!["offered", "busy"].includes(current.status)) act("/console/agent/status", {status: "wrap-up"});
    }
  });

  document.getElementById("escalate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await act("/console/agent/escalate", {call: current.call, note: event.target.note.value})) {
      event.target.reset();
    }
  });

  document.getElementById("callback-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const when = new Date(form.when.value);
    await act("/console/agent/callback", {call: current.call, number: form.number.value,
      when: isNaN(when) ? form.when.value : when.toISOString()});
  });

  poll("/console/agent/live", (data) => {
    render(data);
    if (window.DemoLegs) window.DemoLegs.refresh();
  });
})();
