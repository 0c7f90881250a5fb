// "Try a call" on the flow page: dial the editor's text and answer as a caller would.
"use strict";

(() => {
  const {t, post} = Console;
  const panel = document.getElementById("trial");
  const transcript = document.getElementById("transcript");
  const entry = document.getElementById("trial-input");
  const inputs = [...document.querySelectorAll("#keypad button, #trial-entry input, #trial-entry button")];
  let sid = "";

  function show(answer) {
    transcript.textContent = answer.heard.join("\n") +
      (answer.ending ? "\n— " + t("try_ended", {ending: answer.ending}) : "") +
      (answer.agent ? "\n— " + t("on_call") + " " + answer.agent : "");
    transcript.scrollTop = transcript.scrollHeight;
    inputs.forEach((input) => { input.disabled = !answer.waiting; });
    document.getElementById("trial-hangup").disabled = !sid || !!answer.ending && !answer.waiting;
  }

  function fail(error) {
    transcript.textContent += "\n! " + error.message;
  }

  async function act(action, value) {
    if (!sid) return;
    try {
      show(await post("/console/try/call/" + encodeURIComponent(sid), {action, value}));
    } catch (error) { fail(error); }
  }

  document.getElementById("trial-start").addEventListener("click", async () => {
    transcript.textContent = "";
    try {
      const answer = await post(panel.dataset.start, {
        text: document.getElementById("text-input").value,
        caller: document.getElementById("trial-caller").value});
      sid = answer.sid;
      show(answer);
    } catch (error) { fail(error); }
  });
  document.getElementById("trial-hangup").addEventListener("click", () => act("hangup"));
  document.getElementById("trial-silence").addEventListener("click", () => act("silence"));
  // Keys gather in the entry, as a phone's keypad does; # (or Press) sends them.
  document.querySelectorAll("#keypad button").forEach((button) =>
    button.addEventListener("click", () => {
      if (button.dataset.key === "#") send("press");
      else entry.value += button.dataset.key;
    }));
  function send(action) {
    const value = entry.value.trim();
    entry.value = "";
    if (value) act(action, value);
  }
  document.getElementById("trial-entry").addEventListener("submit", (event) => {
    event.preventDefault();
    send("press");
  });
  document.getElementById("trial-say").addEventListener("click", () => send("say"));
  document.addEventListener("flow-checked", (event) => {
    document.getElementById("trial-version").textContent =
      event.detail.version ? t("try_version", {version: event.detail.version}) : "";
    document.getElementById("trial-start").disabled = !event.detail.version;
  });
})();
