// Shared by every console page: text in the reader's language, safe element building,
// JSON posts with the CSRF token, and polling that survives a dropped connection.
"use strict";

const Console = (() => {
  const textNode = document.getElementById("text");
  const T = textNode ? JSON.parse(textNode.textContent) : {};
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  // Words in the reader's language, with {name} filled in.
  function t(key, values) {
    let words = T[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      words = words.replace("{" + name + "}", value);
    }
    return words;
  }

  // An element whose children are elements or text: strings always become text nodes,
  // never markup, so whatever a caller said stays text.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(name, value === true ? "" : value);
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fill(id, ...children) {
    const target = document.getElementById(id);
    if (target) target.replaceChildren(...children.flat());
  }

  function seconds(value) {
    if (value === null || value === undefined) return "—";
    const s = Math.max(0, Math.round(value));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  // Dates and times as the reader's locale writes them (es-MX: 24 hours, day first).
  function clock(iso) {
    if (!iso) return "";
    const when = new Date(iso);
    return isNaN(when) ? iso : when.toLocaleString(T.locale, {dateStyle: "short", timeStyle: "short"});
  }

  function time(iso) {
    const when = new Date(iso || "");
    return isNaN(when) ? "" : when.toLocaleTimeString(T.locale);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // Ask `url` every `every` ms and hand the JSON to `render`. When the connection drops, a
  // banner says so and the asking goes on, slower, until the server answers again.
  function poll(url, render, every = 1000) {
    const banner = document.getElementById("offline");
    let failures = 0;
    async function once() {
      try {
        const response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
        if (response.status === 401 || response.redirected) {
          window.location.reload();  // signed out meanwhile: the login page
          return;
        }
        if (!response.ok) throw new Error(response.statusText);
        render(await response.json());
        failures = 0;
        banner.hidden = true;
      } catch (error) {
        failures += 1;
        banner.hidden = false;
      }
      setTimeout(once, failures ? Math.min(every * 2 ** failures, 5000) : every);
    }
    once();
  }

  return {t, el, fill, seconds, clock, time, post, poll};
})();
