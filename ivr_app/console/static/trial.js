// "Try a call" on the flow page: dial the editor's text and answer as a caller would, on a
// keypad that sends keys as a phone does, and see where the call is as it goes.
"use strict";

(() => {
  const {t, el, fill, post} = Console;
  const panel = document.getElementById("trial");
  const keypad = document.getElementById("keypad");
  const words = document.getElementById("trial-words");
  const entry = document.getElementById("trial-input");
  const hangup = document.getElementById("trial-hangup");
  const silence = document.getElementById("trial-silence");
  const LOOK_MS = 800;  // how often the page looks at the call while it lasts
  let sid = "";
  let asks = null;  // how the question asked now takes keys (the <Gather>'s numDigits, ...)
  let keys = "";  // keys pressed at this question, not sent yet
  let keyTimer = 0;
  let lookTimer = 0;
  let asked = 0;  // requests made, so an older answer never covers a newer one
  let shown = 0;
  let checked = false;  // the editor's text passes the check: it can be called
  let live = false;  // a call is on: as on a phone, hang up before calling again

  // What the caller heard, each line in its own language (as the line's <Say> gives it).
  function heard(line) {
    const said = /^\[([A-Za-z-]*)\] ([\s\S]*)$/.exec(line);
    if (!said) return el("p", {}, t("try_recording"));
    return el("p", {lang: said[1] || null}, said[2]);
  }

  function where(state) {
    switch (state.is) {
      case "line": return t("try_state_line", {queue: state.queue, position: state.position || ""}) +
        (state.told ? " " + t("try_state_told", {wait: state.told_said}) : "");
      case "ringing": return t("try_state_ringing", {agent: state.agent});
      case "connected": return t("try_connected", {agent: state.agent});
      case "person": return t("try_state_person", {number: state.number});
      case "ended": return t("try_ended_" + state.by);
      default: return t("try_state_flow");
    }
  }

  function hint() {
    if (!asks) return "";
    const how = asks.digits === 1 ? t("try_hint_one_key")
      : t("try_hint_number", {key: asks.finish || "#", seconds: asks.timeout});
    return asks.speech ? how + " " + t("try_hint_speech") : how;
  }

  function show(answer, mine) {
    if (mine < shown) return;
    shown = mine;
    const ended = answer.state.is === "ended";
    asks = ended ? null : answer.asks;
    fill("transcript", answer.heard.map(heard));
    const transcript = document.getElementById("transcript");
    transcript.scrollTop = transcript.scrollHeight;
    fill("trial-state", where(answer.state));
    fill("trial-hint", hint());
    keypad.querySelectorAll("button").forEach((button) => { button.disabled = !asks; });
    silence.disabled = !asks;
    words.hidden = !(asks && asks.speech);
    hangup.disabled = ended;
    live = !ended;
    startable();
    if (!asks) forget();
    clearTimeout(lookTimer);
    if (!ended) lookTimer = setTimeout(look, LOOK_MS);
  }

  function startable() {
    document.getElementById("trial-start").disabled = !checked || live;
  }

  function fail(error) {
    document.getElementById("transcript").append(el("p", {role: "alert"}, "! " + error.message));
  }

  async function send(request) {
    const mine = ++asked;
    try {
      show(await request(), mine);
    } catch (error) { fail(error); }
  }

  function act(action, value) {
    if (sid) send(() => post("/console/try/call/" + encodeURIComponent(sid), {action, value}));
  }

  async function look() {
    if (!sid) return;
    send(async () => {
      const response = await fetch("/console/try/call/" + encodeURIComponent(sid),
        {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) throw new Error(response.statusText);
      return response.json();
    });
  }

  function forget() {
    clearTimeout(keyTimer);
    keys = "";
    fill("trial-keys", "");
  }

  // As Twilio's <Gather>: the keys go when the question has as many as it takes, when its
  // finishing key is pressed, or when no other key comes within its timeout.
  function press(key) {
    if (!asks) return;
    clearTimeout(keyTimer);
    keys += key;
    fill("trial-keys", t("try_keys", {keys}));
    const done = (asks.finish && key === asks.finish) || (asks.digits && keys.length >= asks.digits);
    if (done) return pressed();
    keyTimer = setTimeout(pressed, asks.timeout * 1000);
  }

  function pressed() {
    const sent = keys;
    forget();
    if (sent) act("press", sent);
  }

  document.getElementById("trial-start").addEventListener("click", () => {
    forget();
    fill("transcript");
    send(async () => {
      const answer = await post(panel.dataset.start, {
        text: document.getElementById("text-input").value,
        caller: document.getElementById("trial-caller").value});
      sid = answer.sid;
      return answer;
    });
  });
  hangup.addEventListener("click", () => { forget(); act("hangup"); });
  silence.addEventListener("click", () => { forget(); act("silence"); });
  keypad.querySelectorAll("button").forEach((button) =>
    button.addEventListener("click", () => press(button.dataset.key)));
  // From the keyboard too: with the keypad focused, typed keys press its buttons.
  keypad.addEventListener("keydown", (event) => {
    if (/^[0-9*#]$/.test(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      press(event.key);
    }
  });
  words.addEventListener("submit", (event) => {
    event.preventDefault();
    const said = entry.value.trim();
    entry.value = "";
    forget();
    if (said) act("say", said);
  });
  document.addEventListener("flow-checked", (event) => {
    document.getElementById("trial-version").textContent =
      event.detail.version ? t("try_version", {version: event.detail.version}) : "";
    checked = !!event.detail.version;
    startable();
  });
})();
