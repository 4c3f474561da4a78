// Handheld terminal: the scanner types a code and Enter into the focused field; every action is one POST,
// the answer says what happened (with a sound) and what to do next. Works with central down: only the edge answers.
"use strict";

const workstation = (() => {
  const fromUrl = new URLSearchParams(location.search).get("ws");
  if (fromUrl) localStorage.setItem("workstation", fromUrl);
  let id = localStorage.getItem("workstation");
  if (!id) {
    id = "ТСД-" + Math.random().toString(36).slice(2, 7).toUpperCase();
    localStorage.setItem("workstation", id);
  }
  return id;
})();
const api = (path) => `/api/v1/terminal/${encodeURIComponent(workstation)}${path}`;
const $ = (id) => document.getElementById(id);
const modeTitles = {
  login: "Вход", receive: "Приёмка", move: "Перемещение", pick: "Отбор", count: "Пересчёт", ship: "Отгрузка", pack: "Упаковка",
};

let audio;
function beep(ok) {
  try {
    audio = audio || new AudioContext();
    const tones = ok ? [[1320, 0.08]] : [[220, 0.25], [180, 0.35]];
    let t = audio.currentTime;
    for (const [freq, length] of tones) {
      const osc = audio.createOscillator();
      osc.frequency.value = freq;
      osc.type = ok ? "sine" : "square";
      osc.connect(audio.destination);
      osc.start(t);
      osc.stop(t + length);
      t += length + 0.05;
    }
  } catch (e) { /* no sound device: the colour still tells */ }
  if (!ok && navigator.vibrate) navigator.vibrate([200, 100, 200]);
}

let seen = 0; // the newest answer shown, by the workstation's serial
let closedBox = null; // pack mode: the SSCC of the box just closed, whose label «Этикетка» prints

function show(feedback, sound = true) {
  if (feedback.serial) seen = Math.max(seen, feedback.serial);
  const signedIn = feedback.mode !== "login";
  $("login").hidden = signedIn;
  $("work").hidden = !signedIn;
  $("mode-title").textContent = modeTitles[feedback.mode] || feedback.mode;
  $("operator").textContent = feedback.operator || "";
  $("prompt").textContent = feedback.prompt;
  const message = $("message");
  message.textContent = feedback.message;
  message.className = "message " + (feedback.message ? (feedback.ok ? "ok" : "error") : "");
  document.body.dataset.beep = feedback.beep;
  document.querySelectorAll(".modes button").forEach((b) => b.classList.toggle("active", b.dataset.mode === feedback.mode));
  // Receive mode records defective units with «Брак»; ship mode's closing action is «Отгрузить».
  $("defective").hidden = feedback.mode !== "receive";
  $("finish").textContent = feedback.mode === "ship" ? "Отгрузить" : "Завершить";
  // Pack mode: a closed box offers its label until the next box is opened.
  const closed = feedback.ok && /^Упаковка (\d{18}) закрыта/.exec(feedback.message || "");
  if (feedback.mode !== "pack" || (feedback.ok && feedback.message && !closed)) closedBox = null;
  if (closed) closedBox = closed[1];
  $("label").hidden = !closedBox;
  // Pack mode: «Новая коробка» opens a box under an SSCC the site issues (no pre-printed labels needed).
  $("new-box").hidden = feedback.mode !== "pack";
  if (sound && feedback.message) beep(feedback.ok);
  (signedIn ? $("scan") : ($("badge").value ? $("pin") : $("badge"))).focus();
}

// Scans must reach the edge in the order they were made: each request waits for the one before it.
let queue = Promise.resolve();
function post(url, body) {
  queue = queue.then(() => send(url, body));
  return queue;
}

async function send(url, body) {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json();
    if (!response.ok) {
      show({ ok: false, beep: "error", message: "Ошибка: " + JSON.stringify(data.detail), prompt: $("prompt").textContent, mode: "login" });
      return;
    }
    show(data);
  } catch (e) {
    show({ ok: false, beep: "error", message: "Нет связи с узлом склада", prompt: $("prompt").textContent, mode: "login" });
  }
}

$("scan").addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  const code = event.target.value.trim();
  event.target.value = "";
  if (code) post("/api/v1/scans", { workstation, code, source: "browser:" + workstation });
});
$("badge").addEventListener("keydown", (event) => {
  if (event.key === "Enter") { event.preventDefault(); $("pin").focus(); }
});
$("pin").addEventListener("keydown", (event) => {
  if (event.key === "Enter") { event.preventDefault(); $("login-button").click(); }
});
$("login-button").addEventListener("click", () => {
  post(api("/login"), { badge: $("badge").value.trim(), pin: $("pin").value });
  $("pin").value = "";
});
document.querySelectorAll(".modes button").forEach((b) => b.addEventListener("click", () => post(api("/mode"), { mode: b.dataset.mode })));
$("undo").addEventListener("click", () => post(api("/undo")));
$("finish").addEventListener("click", () => post(api("/finish")));
$("defective").addEventListener("click", () => post(api("/defective")));
$("label").addEventListener("click", () => printBoxLabel(closedBox));
$("new-box").addEventListener("click", () => post("/api/v1/packages/new", { workstation }));
$("logout").addEventListener("click", () => { $("badge").value = ""; post(api("/logout")); });
$("qty").addEventListener("click", () => {
  const qty = parseInt(prompt("Количество", "1"), 10);
  if (!Number.isNaN(qty)) post(api("/qty"), { qty });
});
// A handheld's scan key types into whatever has focus: keep it on the scan field between actions.
document.addEventListener("click", (event) => {
  if (!$("work").hidden && event.target.tagName !== "INPUT") setTimeout(() => $("scan").focus(), 0);
});

// Ready once the listeners are attached and the current state is on screen (tests and kiosks wait for it).
fetch(api("")).then((r) => r.json()).then((f) => { show(f, false); document.body.dataset.ready = "1"; });

// A scanner wired to this workstation (serial or USB at the edge) is answered at the edge, not here:
// ask for the latest answer now and then, and show and sound one this page has not seen.
setInterval(async () => {
  try {
    const latest = await (await fetch(api("/last"))).json();
    if (latest.serial > seen) show(latest);
  } catch (e) { /* the next poll tries again */ }
}, 700);

// The closed box's label on the site's first label printer: its SSCC and what it holds.
async function printBoxLabel(sscc) {
  if (!sscc) return;
  const say = (ok, message) => show({ ok, beep: ok ? "ok" : "error", message, prompt: $("prompt").textContent, mode: "pack", operator: $("operator").textContent });
  try {
    const box = await (await fetch("/api/v1/packages/" + sscc)).json();
    const printers = await (await fetch("/api/v1/printers")).json();
    if (!printers.length) { say(false, "Нет принтера этикеток: обратитесь к администратору"); return; }
    const contents = box.contents.map((line) => line.sku + " × " + line.qty).join(", ");
    // The edge computes the gross weight from the contents and the tare (DEV-2).
    const label = box.kind === "pallet"
      ? { kind: "pallet", sscc, contents }
      : { kind: "box", order: "—", customer: "", box: 1, boxes: 1, contents, sscc };
    const response = await fetch("/api/v1/labels/print", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...label, printer: printers[0].name }),
    });
    const data = await response.json();
    say(response.ok, response.ok ? "Этикетка " + sscc + " отправлена на " + data.printer.name : "Этикетка не напечатана: " + JSON.stringify(data.detail));
  } catch (e) {
    say(false, "Нет связи с узлом склада");
  }
}
