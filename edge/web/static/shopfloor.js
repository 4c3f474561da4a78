// Shop-floor touch terminal: badge + PIN, then the worker's own operations and the queue. Every action is one
// POST answered by the shop's edge alone (central may be down); the answer carries the whole new screen.
"use strict";

const station = (() => {
  const fromUrl = new URLSearchParams(location.search).get("station");
  if (fromUrl) localStorage.setItem("shopfloor-station", fromUrl);
  let id = localStorage.getItem("shopfloor-station");
  if (!id) {
    id = "Участок-" + Math.random().toString(36).slice(2, 6).toUpperCase();
    localStorage.setItem("shopfloor-station", id);
  }
  return id;
})();
const api = (path) => `/api/v1/shopfloor/${encodeURIComponent(station)}${path}`;
const $ = (id) => document.getElementById(id);
let current = null;
let pausing = null;
let finishing = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") node.addEventListener("click", v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function say(text, ok) {
  const message = $("message");
  message.textContent = text || "";
  message.className = "message " + (text ? (ok ? "ok" : "error") : "");
  document.body.dataset.outcome = text ? (ok ? "ok" : "error") : "";
}

function render(state) {
  current = state;
  const signedIn = !!state.worker;
  $("login").hidden = signedIn;
  $("work").hidden = !signedIn;
  $("logout").hidden = !signedIn;
  $("station").textContent = state.station;
  $("worker").textContent = signedIn ? state.worker.full_name : "";
  if (!signedIn) { $("badge").focus(); return; }
  const sessions = $("sessions");
  sessions.replaceChildren();
  if (!state.sessions.length) sessions.append(el("p", { class: "empty" }, "Нет начатых операций — возьмите операцию из очереди."));
  for (const s of state.sessions) {
    const paused = s.state === "paused";
    const actions = el("div", { class: "actions" });
    if (paused) actions.append(el("button", { class: "primary", dataset: { action: "resume", session: s.id }, onclick: () => post("/resume", { session: s.id }) }, "Продолжить"));
    else actions.append(el("button", { class: "warn", dataset: { action: "pause", session: s.id }, onclick: () => askPause(s.id) }, "Пауза"));
    actions.append(el("button", { class: "done", dataset: { action: "finish", session: s.id }, onclick: () => askFinish(s) }, "Завершить"));
    sessions.append(el("div", { class: "card" + (paused ? " paused" : ""), dataset: { session: s.id, state: s.state } },
      el("div", {},
        el("div", {}, el("b", {}, `${s.task} · ${s.title}`), ` — ${s.item_name}`),
        el("div", { class: "state" }, paused ? `На паузе: ${s.pause_reason || ""}` : "В работе",
          ` · ${s.worked_minutes} мин · осталось ${s.remaining} из ${s.qty} шт.`)),
      actions));
  }
  const queue = $("queue");
  queue.replaceChildren();
  for (const op of state.queue) {
    const start = op.mine ? "" : el("button", { class: "primary", dataset: { action: "start", operation: op.id }, onclick: () => post("/start", { operation: op.id }) }, "Начать");
    queue.append(el("tr", { class: op.mine ? "mine" : "", dataset: { operation: op.id } },
      el("td", {}, op.task), el("td", {}, `${op.op_seq}. ${op.operation} (${op.group}${op.parallel ? ", параллельно" : ""})`),
      el("td", {}, op.item_name), el("td", {}, `${op.remaining} из ${op.qty}`), el("td", {}, String(op.norm_minutes_per_unit)),
      el("td", {}, op.workers.join(", ")), el("td", {}, start)));
  }
}

async function call(method, path, body) {
  try {
    const response = await fetch(api(path), {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(String(response.status));
    return await response.json();
  } catch (e) {
    say("Нет связи с сервером цеха. Повторите действие", false);
    return null;
  }
}

async function post(path, body = {}) {
  const answer = await call("POST", path, body);
  if (!answer) return;
  say(answer.message, answer.ok);
  render(answer.state);
}

function askPause(session) {
  pausing = session;
  const reasons = $("reasons");
  reasons.replaceChildren(...current.pause_reasons.map((r) =>
    el("button", { dataset: { reason: r.code }, onclick: () => { $("pause-dialog").close(); post("/pause", { session: pausing, reason: r.code }); } }, r.title)));
  $("pause-dialog").showModal();
}

function askFinish(session) {
  finishing = session.id;
  $("good").value = String(session.remaining);
  $("defective").value = "0";
  $("finish-dialog").showModal();
}

$("finish-ok").addEventListener("click", () => {
  $("finish-dialog").close();
  post("/finish", { session: finishing, good: Number($("good").value || 0), defective: Number($("defective").value || 0) });
});
$("finish-cancel").addEventListener("click", () => $("finish-dialog").close());
$("pause-cancel").addEventListener("click", () => $("pause-dialog").close());
$("next").addEventListener("click", () => post("/start", {}));
$("logout").addEventListener("click", () => post("/logout"));

async function login() {
  const badge = $("badge").value.trim();
  const pin = $("pin").value;
  if (!badge || !pin) { say("Отсканируйте бейдж и наберите PIN-код", false); return; }
  $("pin").value = "";
  await post("/login", { badge, pin });
}
$("badge").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("pin").focus(); } });
$("keypad").addEventListener("click", (e) => {
  const key = e.target.closest("button")?.dataset.key;
  if (!key) return;
  if (key === "OK") login();
  else if (key === "⌫") $("pin").value = $("pin").value.slice(0, -1);
  else $("pin").value += key;
});
document.addEventListener("keydown", (e) => {
  if ($("login").hidden || document.activeElement === $("badge")) return;
  if (/^[0-9]$/.test(e.key)) $("pin").value += e.key;
  else if (e.key === "Backspace") $("pin").value = $("pin").value.slice(0, -1);
  else if (e.key === "Enter") login();
});

async function refresh() {
  const state = await call("GET", "");
  if (state && !document.querySelector("dialog[open]")) render(state);
}
refresh();
setInterval(refresh, 15000);
