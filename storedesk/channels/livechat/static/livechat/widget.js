/* Storedesk live chat widget. Vanilla JS, no framework, no eval, no inline script or style.
 * Snippet: <script src="https://desk.example/static/livechat/widget.js" data-store="acme" async></script>
 * Optional attributes: data-user-id, data-email, data-name, data-signature (identity signed by
 * the store's server), data-locale. Or set window.StoredeskChat = {identity: {...}, cart: {...}}
 * before the snippet loads. Protocol: docs/livechat.md. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-store][src*='livechat/widget']");
  if (!script || window.__storedeskChatLoaded) return;
  window.__storedeskChatLoaded = true;

  var slug = script.getAttribute("data-store");
  var src = new URL(script.src, location.href);
  var wsUrl = (src.protocol === "https:" ? "wss://" : "ws://") + src.host + "/ws/chat/" + encodeURIComponent(slug) + "/";
  var cssUrl = src.href.replace(/widget\.js(\?.*)?$/, "widget.css");
  var api = (window.StoredeskChat = window.StoredeskChat || {});
  var KEY = "storedesk.chat." + slug;
  var RESEND_MS = 3000;

  var STRINGS = {
    en: {
      title: "Chat with us", open: "Open chat", close: "Close chat", greeting: "Hi! How can we help?",
      placeholder: "Type your message", send: "Send", sending: "Sending…", sent: "Sent",
      typing: "{name} is typing…", someone: "Someone", wait: "Usually replies in about {n} min",
      waitNow: "We reply in a few minutes", closed: "We're closed right now.",
      offline: "Nobody is online. Leave your email and we'll reply by email.",
      email: "Your email", name: "Your name", emailSent: "Thanks! We'll reply to {email}.",
      reconnecting: "Reconnecting…", you: "You", agent: "Support", log: "Conversation"
    },
    fr: {
      title: "Discutons", open: "Ouvrir le chat", close: "Fermer le chat", greeting: "Bonjour ! Comment pouvons-nous aider ?",
      placeholder: "Votre message", send: "Envoyer", sending: "Envoi…", sent: "Envoyé",
      typing: "{name} écrit…", someone: "Quelqu'un", wait: "Réponse en environ {n} min",
      waitNow: "Réponse dans quelques minutes", closed: "Nous sommes fermés pour le moment.",
      offline: "Personne n'est en ligne. Laissez votre e-mail, nous répondrons par e-mail.",
      email: "Votre e-mail", name: "Votre nom", emailSent: "Merci ! Nous répondrons à {email}.",
      reconnecting: "Reconnexion…", you: "Vous", agent: "Support", log: "Conversation"
    },
    de: {
      title: "Chatten Sie mit uns", open: "Chat öffnen", close: "Chat schließen", greeting: "Hallo! Wie können wir helfen?",
      placeholder: "Ihre Nachricht", send: "Senden", sending: "Wird gesendet…", sent: "Gesendet",
      typing: "{name} schreibt…", someone: "Jemand", wait: "Antwort in etwa {n} Min.",
      waitNow: "Antwort in wenigen Minuten", closed: "Wir haben gerade geschlossen.",
      offline: "Niemand ist online. Hinterlassen Sie Ihre E-Mail, wir antworten per E-Mail.",
      email: "Ihre E-Mail", name: "Ihr Name", emailSent: "Danke! Wir antworten an {email}.",
      reconnecting: "Verbinde neu…", you: "Sie", agent: "Support", log: "Unterhaltung"
    }
  };
  var t = STRINGS.en;
  function pickLocale(locale) {
    var lang = (locale || script.getAttribute("data-locale") || navigator.language || "en").slice(0, 2).toLowerCase();
    t = Object.assign({}, STRINGS.en, STRINGS[lang] || {});
  }
  function fmt(s, vars) {
    return String(s).replace(/\{(\w+)\}/g, function (_, k) { return vars[k] == null ? "" : vars[k]; });
  }

  // State kept across pages: the server-issued token and the messages not yet acked.
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  var state = load();
  state.pending = state.pending || [];
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify({ token: state.token, pending: state.pending, open: state.open })); } catch (e) { /* private mode */ }
  }
  function newId() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // DOM, in a shadow root so the shop's CSS and ours never meet.
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }
  var host = el("div", { id: "storedesk-chat" });
  var root = host.attachShadow({ mode: "open" });
  var link = el("link", { rel: "stylesheet", href: cssUrl });
  var launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "sd-panel", "data-testid": "chat-launcher" });
  var panel = el("section", { id: "sd-panel", class: "panel", role: "dialog", hidden: "" });
  var header = el("header");
  var title = el("h2", { id: "sd-title" });
  var closeBtn = el("button", { type: "button", class: "close", "data-testid": "chat-close" }, "×");
  var status = el("p", { class: "status", role: "status", "data-testid": "chat-status" });
  var log = el("ol", { class: "log", role: "log", "aria-live": "polite", "data-testid": "chat-log" });
  var typing = el("p", { class: "typing", "aria-live": "polite", "data-testid": "chat-typing" });
  var form = el("form", { class: "composer", "data-testid": "chat-form" });
  var emailInput = el("input", { type: "email", class: "email", autocomplete: "email", hidden: "", "data-testid": "chat-email" });
  var nameInput = el("input", { type: "text", class: "name", autocomplete: "name", hidden: "", "data-testid": "chat-name" });
  var input = el("textarea", { rows: "2", "data-testid": "chat-input" });
  var sendBtn = el("button", { type: "submit", class: "send", "data-testid": "chat-send" });
  header.append(title, closeBtn);
  form.append(nameInput, emailInput, input, sendBtn);
  panel.setAttribute("aria-labelledby", "sd-title");
  panel.append(header, status, log, typing, form);
  root.append(link, launcher, panel);

  function applyStrings() {
    launcher.textContent = t.title;
    launcher.setAttribute("aria-label", t.open);
    title.textContent = t.title;
    closeBtn.setAttribute("aria-label", t.close);
    log.setAttribute("aria-label", t.log);
    input.setAttribute("aria-label", t.placeholder);
    input.setAttribute("placeholder", t.placeholder);
    emailInput.setAttribute("aria-label", t.email);
    emailInput.setAttribute("placeholder", t.email);
    nameInput.setAttribute("aria-label", t.name);
    nameInput.setAttribute("placeholder", t.name);
    sendBtn.textContent = t.send;
  }
  pickLocale();
  applyStrings();

  function setOpen(open, quiet) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (quiet) return;
    if (open) input.focus(); else launcher.focus();
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false); });

  // Messages: one row per server id; a pending row (by client id) becomes that row on ack.
  var rows = {};
  function row(msg) {
    var key = msg.cid ? "c" + msg.cid : "i" + msg.id;
    var li = rows[key] || (msg.id && rows["i" + msg.id]);
    if (!li) {
      li = el("li", { class: "msg " + (msg.from || "visitor"), "data-testid": "chat-message" });
      li.append(el("span", { class: "who" }), el("span", { class: "text" }), el("span", { class: "state" }));
      log.append(li);
      log.scrollTop = log.scrollHeight;
    }
    rows[key] = li;
    if (msg.id) { rows["i" + msg.id] = li; li.setAttribute("data-id", msg.id); }
    li.children[0].textContent = msg.from === "visitor" ? t.you : (msg.name || t.agent);
    li.children[1].textContent = msg.text;
    li.children[2].textContent = msg.id ? "" : t.sending;
    li.setAttribute("data-state", msg.id ? "sent" : "pending");
    return li;
  }

  var ws = null, welcomed = false, retries = 0, lastTyping = 0, typingTimer = null, settings = {}, online = true;
  function send(data) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(data));
  }
  function flush(force) {
    if (!welcomed) return;
    var now = Date.now();
    state.pending.forEach(function (p) {
      if (force || now - (p.sentAt || 0) >= RESEND_MS) {
        p.sentAt = now;
        send(p.email ? { type: "offline", cid: p.cid, text: p.text, email: p.email, name: p.name } : { type: "message", cid: p.cid, text: p.text });
      }
    });
  }
  setInterval(function () { flush(false); }, 1000);

  function showStatus(wait) {
    if (!online) {
      status.textContent = t.offline;
    } else if (wait && wait.open_now === false) {
      status.textContent = t.closed;
    } else if (wait && wait.expected_wait_s) {
      status.textContent = fmt(t.wait, { n: Math.max(1, Math.round(wait.expected_wait_s / 60)) });
    } else {
      status.textContent = t.waitNow;
    }
    emailInput.hidden = online;
    nameInput.hidden = online && !settings.prechat;
    emailInput.required = !online;
  }

  function onFrame(data) {
    if (data.type === "welcome") {
      welcomed = true;
      retries = 0;
      state.token = data.token;
      save();
      settings = data.settings || {};
      pickLocale(settings.locale);
      Object.assign(t, settings.strings || {});
      if (settings.greeting) t.greeting = settings.greeting;
      applyStrings();
      host.style.setProperty("--sd-color", settings.color || "#2f5bea");
      online = !!data.online;
      showStatus(data.wait);
      if (!log.querySelector(".greeting")) log.prepend(el("li", { class: "msg agent greeting" }, t.greeting));
      (data.history || []).forEach(row);
      flush(true);
    } else if (data.type === "ack") {
      state.pending = state.pending.filter(function (p) { return p.cid !== data.cid; });
      save();
      var li = rows["c" + data.cid];
      if (li) row({ cid: data.cid, id: data.id, from: "visitor", text: li.children[1].textContent });
      if (data.email) status.textContent = fmt(t.emailSent, { email: emailInput.value });
    } else if (data.type === "message") {
      typing.textContent = "";
      row(data);
    } else if (data.type === "typing") {
      typing.textContent = fmt(t.typing, { name: data.name || t.someone });
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.textContent = ""; }, 5000);
    }
  }

  function connect() {
    welcomed = false;
    ws = new WebSocket(wsUrl);
    api.socket = ws;
    ws.onopen = function () {
      var attr = function (n) { return script.getAttribute("data-" + n) || ""; };
      var identity = api.identity || (attr("signature") ? { user_id: attr("user-id"), email: attr("email"), name: attr("name"), signature: attr("signature") } : null);
      send({ type: "hello", token: state.token || null, page: { url: location.href, title: document.title }, cart: api.cart || null, identity: identity });
    };
    ws.onmessage = function (e) {
      try { onFrame(JSON.parse(e.data)); } catch (err) { /* ignore a bad frame */ }
    };
    ws.onclose = function (e) {
      welcomed = false;
      if (e.code === 4403 || e.code === 4404) return; // refused: retrying cannot help
      status.textContent = t.reconnecting;
      retries += 1;
      setTimeout(connect, Math.min(15000, 500 * Math.pow(2, Math.min(retries, 5))));
    };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (!online && !emailInput.checkValidity()) { emailInput.focus(); return; }
    var pending = { cid: newId(), text: text };
    if (!online) { pending.email = emailInput.value.trim(); pending.name = nameInput.value.trim(); }
    state.pending.push(pending);
    save();
    row({ cid: pending.cid, from: "visitor", text: text });
    input.value = "";
    flush(false);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (welcomed && now - lastTyping > 2000) { lastTyping = now; send({ type: "typing" }); }
  });

  function start() {
    document.body.append(host);
    // Messages typed on a previous page and never acked: shown now, sent on welcome.
    state.pending.forEach(function (p) { row({ cid: p.cid, from: "visitor", text: p.text }); });
    if (state.open) setOpen(true, true);
    connect();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
