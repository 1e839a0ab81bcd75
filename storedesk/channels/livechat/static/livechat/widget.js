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
  var base = src.origin;

  var STRINGS = {
    en: {
      title: "Chat with us", open: "Open chat", close: "Close chat", greeting: "Hi! How can we help?",
      placeholder: "Type your message", send: "Send", sending: "Sending…", sent: "Sent",
      typing: "{name} is typing…", someone: "Someone", wait: "Usually replies in about {n} min",
      waitNow: "We reply in a few minutes", closed: "We're closed right now.",
      offline: "Nobody is online. Leave your email and we'll reply by email.",
      email: "Your email", name: "Your name", emailSent: "Thanks! We'll reply to {email}.",
      reconnecting: "Reconnecting…", you: "You", agent: "Support", log: "Conversation",
      attach: "Send a photo or PDF", read: "Read", failed: "Not sent", tooBig: "That file is too large.",
      badFile: "Only photos and PDF files can be sent.", transcript: "Email me this chat",
      transcriptSent: "The transcript is on its way to {email}.", transcriptWait: "The transcript is already on its way.",
      callback: "Call me back", phone: "Your phone number", when: "When?", asap: "As soon as possible",
      request: "Request", callbackSet: "We'll call you around {at}.", badPhone: "Please check the phone number.",
      hours: "Opening hours", back: "We're closed right now. Back {at}.", cancel: "Cancel",
      morning: "morning", afternoon: "afternoon", today: "Today", tomorrow: "Tomorrow"
    },
    fr: {
      title: "Discutons", open: "Ouvrir le chat", close: "Fermer le chat", greeting: "Bonjour ! Comment pouvons-nous aider ?",
      placeholder: "Votre message", send: "Envoyer", sending: "Envoi…", sent: "Envoyé",
      typing: "{name} écrit…", someone: "Quelqu'un", wait: "Réponse en environ {n} min",
      waitNow: "Réponse dans quelques minutes", closed: "Nous sommes fermés pour le moment.",
      offline: "Personne n'est en ligne. Laissez votre e-mail, nous répondrons par e-mail.",
      email: "Votre e-mail", name: "Votre nom", emailSent: "Merci ! Nous répondrons à {email}.",
      reconnecting: "Reconnexion…", you: "Vous", agent: "Support", log: "Conversation",
      attach: "Envoyer une photo ou un PDF", read: "Lu", failed: "Non envoyé", tooBig: "Ce fichier est trop volumineux.",
      badFile: "Seuls les photos et les PDF peuvent être envoyés.", transcript: "M'envoyer cette conversation",
      transcriptSent: "La transcription part vers {email}.", transcriptWait: "La transcription est déjà en route.",
      callback: "Rappelez-moi", phone: "Votre numéro", when: "Quand ?", asap: "Dès que possible",
      request: "Demander", callbackSet: "Nous vous appellerons vers {at}.", badPhone: "Vérifiez le numéro.",
      hours: "Horaires", back: "Nous sommes fermés. Retour {at}.", cancel: "Annuler",
      morning: "matin", afternoon: "après-midi", today: "Aujourd'hui", tomorrow: "Demain"
    },
    de: {
      title: "Chatten Sie mit uns", open: "Chat öffnen", close: "Chat schließen", greeting: "Hallo! Wie können wir helfen?",
      placeholder: "Ihre Nachricht", send: "Senden", sending: "Wird gesendet…", sent: "Gesendet",
      typing: "{name} schreibt…", someone: "Jemand", wait: "Antwort in etwa {n} Min.",
      waitNow: "Antwort in wenigen Minuten", closed: "Wir haben gerade geschlossen.",
      offline: "Niemand ist online. Hinterlassen Sie Ihre E-Mail, wir antworten per E-Mail.",
      email: "Ihre E-Mail", name: "Ihr Name", emailSent: "Danke! Wir antworten an {email}.",
      reconnecting: "Verbinde neu…", you: "Sie", agent: "Support", log: "Unterhaltung",
      attach: "Foto oder PDF senden", read: "Gelesen", failed: "Nicht gesendet", tooBig: "Die Datei ist zu groß.",
      badFile: "Nur Fotos und PDF-Dateien.", transcript: "Chat per E-Mail senden",
      transcriptSent: "Das Protokoll geht an {email}.", transcriptWait: "Das Protokoll ist schon unterwegs.",
      callback: "Rückruf", phone: "Ihre Telefonnummer", when: "Wann?", asap: "So bald wie möglich",
      request: "Anfragen", callbackSet: "Wir rufen Sie gegen {at} an.", badPhone: "Bitte prüfen Sie die Nummer.",
      hours: "Öffnungszeiten", back: "Wir haben geschlossen. Wieder da {at}.", cancel: "Abbrechen",
      morning: "Vormittag", afternoon: "Nachmittag", today: "Heute", tomorrow: "Morgen"
    }
  };
  // The bot's words: its name and the button that hands the chat to a person.
  STRINGS.en.person = "Talk to a person"; STRINGS.en.bot = "Assistant"; STRINGS.en.botOnly = "Our assistant answers now; a person follows up.";
  STRINGS.fr.person = "Parler à une personne"; STRINGS.fr.bot = "Assistant"; STRINGS.fr.botOnly = "Notre assistant répond tout de suite ; une personne prend le relais.";
  STRINGS.de.person = "Mit einer Person sprechen"; STRINGS.de.bot = "Assistent"; STRINGS.de.botOnly = "Unser Assistent antwortet sofort; ein Mensch übernimmt danach.";
  var t = STRINGS.en, lang = "en";
  function pickLocale(locale) {
    lang = (locale || script.getAttribute("data-locale") || navigator.language || "en").slice(0, 2).toLowerCase();
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
  // Links in bot and agent messages, built as nodes (text stays text): http(s) URLs, and paths
  // from "/" on the Storedesk server; trailing punctuation is not part of a link.
  var URLS = /https?:\/\/[^\s<>"]+|(^|\s)\/\w[^\s<>"]*/g;
  function safeHref(raw) {
    try { var u = new URL(raw, base); } catch (e) { return ""; }
    if (u.protocol !== "http:" && u.protocol !== "https:") return "";
    return raw.charAt(0) === "/" && u.origin !== base ? "" : u.href;
  }
  function linkify(node, text) {
    node.textContent = "";
    var at = 0, m, start, raw, href;
    URLS.lastIndex = 0;
    while ((m = URLS.exec(text))) {
      start = m.index + (m[1] || "").length;
      raw = text.slice(start, m.index + m[0].length).replace(/[.,;:!?)\]'"]+$/, "");
      href = safeHref(raw);
      if (!href) continue;
      node.append(text.slice(at, start), el("a", { href: href, target: "_blank", rel: "noopener noreferrer nofollow", "data-testid": "chat-link" }, raw));
      at = start + raw.length;
    }
    node.append(text.slice(at));
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
  var fileInput = el("input", { type: "file", accept: "image/*,application/pdf", hidden: "", "data-testid": "chat-file" });
  var attachBtn = el("button", { type: "button", class: "attach", "data-testid": "chat-attach" }, "+");
  var hoursBox = el("details", { class: "hours", hidden: "", "data-testid": "chat-hours" });
  var hoursTitle = el("summary");
  var hoursList = el("ul");
  hoursBox.append(hoursTitle, hoursList);
  // Tools under the composer: transcript by email and a callback, each with its small form.
  var tools = el("div", { class: "tools" });
  var transcriptBtn = el("button", { type: "button", class: "link", hidden: "", "data-testid": "chat-transcript" });
  var callbackBtn = el("button", { type: "button", class: "link", "data-testid": "chat-callback" });
  tools.append(transcriptBtn, callbackBtn);
  var transcriptForm = el("form", { class: "extra", hidden: "", "data-testid": "chat-transcript-form" });
  var transcriptEmail = el("input", { type: "email", required: "", autocomplete: "email", "data-testid": "chat-transcript-email" });
  var transcriptGo = el("button", { type: "submit", class: "send" });
  transcriptForm.append(transcriptEmail, transcriptGo);
  var callbackForm = el("form", { class: "extra", hidden: "", "data-testid": "chat-callback-form" });
  var phoneInput = el("input", { type: "tel", required: "", autocomplete: "tel", "data-testid": "chat-phone" });
  var slotSelect = el("select", { "data-testid": "chat-slot" });
  var callbackGo = el("button", { type: "submit", class: "send" });
  callbackForm.append(phoneInput, slotSelect, callbackGo);
  header.append(title, closeBtn);
  form.append(nameInput, emailInput, input, fileInput, attachBtn, sendBtn);
  panel.setAttribute("aria-labelledby", "sd-title");
  panel.append(header, status, hoursBox, log, typing, form, transcriptForm, callbackForm, tools);
  root.append(link, launcher, panel);
  // The bot's quick replies; "Talk to a person" is there until a person has the chat.
  var quick = el("div", { class: "quick", hidden: "", "data-testid": "chat-quick" });
  panel.insertBefore(quick, form);

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
    attachBtn.setAttribute("aria-label", t.attach);
    attachBtn.title = t.attach;
    hoursTitle.textContent = t.hours;
    transcriptBtn.textContent = t.transcript;
    callbackBtn.textContent = t.callback;
    transcriptEmail.setAttribute("aria-label", t.email);
    transcriptEmail.setAttribute("placeholder", t.email);
    transcriptGo.textContent = t.send;
    phoneInput.setAttribute("aria-label", t.phone);
    phoneInput.setAttribute("placeholder", t.phone);
    slotSelect.setAttribute("aria-label", t.when);
    callbackGo.textContent = t.request;
  }
  pickLocale();
  applyStrings();

  function setOpen(open, quiet) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    markSeen();
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
      li._who = el("span", { class: "who" });
      li._text = el("span", { class: "text" });
      li._files = el("ul", { class: "files" });
      li._state = el("span", { class: "state" });
      li.append(li._who, li._text, li._files, li._state);
      log.append(li);
      log.scrollTop = log.scrollHeight;
    }
    rows[key] = li;
    if (msg.id) { rows["i" + msg.id] = li; li.setAttribute("data-id", msg.id); }
    li._who.textContent = msg.from === "visitor" ? t.you : (msg.name || (msg.from === "bot" ? t.bot : t.agent));
    if (msg.from === "bot" || msg.from === "agent") linkify(li._text, msg.text || ""); else li._text.textContent = msg.text;
    li._state.textContent = msg.id ? "" : (msg.error || t.sending);
    li.setAttribute("data-state", msg.id ? "sent" : (msg.error ? "failed" : "pending"));
    if (msg.files && msg.files.length && !li._files.firstChild) msg.files.forEach(function (f) {
      var a = el("a", { href: base + f.url, target: "_blank", rel: "noopener noreferrer", "data-testid": "chat-file-link" });
      if (f.image) {
        var img = el("img", { src: base + f.url, alt: f.name });
        img.addEventListener("load", function () { log.scrollTop = log.scrollHeight; });
        a.append(img);
      } else a.textContent = f.name;
      var item = el("li");
      item.append(a);
      li._files.append(item);
    });
    if (msg.id) transcriptBtn.hidden = false;
    if (msg.id && (msg.from === "bot" || msg.from === "agent")) { quickReplies = msg.from === "bot" ? msg.quick_replies || [] : []; showQuick(); }
    if (msg.id && msg.from === "visitor") showRead();
    return li;
  }

  // Read state: the agent's marker on our messages ("Read" under the last one it covers), and
  // ours on theirs, sent when the panel is open on a visible page.
  var readUpTo = 0, seenSent = 0;
  function showRead() {
    var last = null;
    log.querySelectorAll(".msg.visitor[data-id]").forEach(function (li) {
      var read = +li.getAttribute("data-id") <= readUpTo;
      li.setAttribute("data-read", read ? "true" : "false");
      li._state.textContent = "";
      if (read) last = li;
    });
    if (last) last._state.textContent = t.read;
  }
  function markSeen() {
    if (!welcomed || panel.hidden || document.visibilityState !== "visible") return;
    var max = 0;
    log.querySelectorAll(".msg.agent[data-id], .msg.bot[data-id]").forEach(function (li) { max = Math.max(max, +li.getAttribute("data-id")); });
    if (max > seenSent) { seenSent = max; send({ type: "read", id: max }); }
  }
  document.addEventListener("visibilitychange", markSeen);

  var botOn = false, quickReplies = null;
  var PERSON = "Talk to a person"; // what the server sends; shown in the visitor's language
  function showQuick() {
    quick.textContent = "";
    var list = quickReplies === null ? [PERSON] : quickReplies;
    quick.hidden = !botOn || !list.length;
    list.forEach(function (label) {
      var text = label === PERSON ? t.person : label;
      var b = el("button", { type: "button", "data-testid": "chat-quick-reply" }, text);
      b.addEventListener("click", function () { input.value = text; form.requestSubmit(); });
      quick.append(b);
    });
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
      status.textContent = wait.next_open_at ? fmt(t.back, { at: when(wait.next_open_at, true) }) : t.closed;
    } else if (wait && wait.expected_wait_s) {
      status.textContent = fmt(t.wait, { n: Math.max(1, Math.round(wait.expected_wait_s / 60)) });
    } else {
      status.textContent = t.waitNow;
    }
    emailInput.hidden = online;
    nameInput.hidden = online && !settings.prechat;
    emailInput.required = !online;
    attachBtn.hidden = !online;
  }
  function when(iso, day) {
    var opts = { hour: "2-digit", minute: "2-digit" };
    if (day) opts.weekday = "short";
    try { return new Intl.DateTimeFormat(lang, opts).format(new Date(iso)); } catch (e) { return iso; }
  }
  function showHours(hours) {
    hoursBox.hidden = !hours;
    hoursList.textContent = "";
    if (!hours) return;
    var f = new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" }), groups = [];
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].forEach(function (d, i) {
      var name = f.format(new Date(Date.UTC(2024, 0, 1 + i, 12))); // 2024-01-01 was a Monday
      var spans = (hours.week[d] || []).map(function (p) { return p[0] + "–" + p[1]; }).join(", ") || "—";
      var last = groups[groups.length - 1];
      if (last && last.spans === spans) last.to = name; else groups.push({ from: name, to: name, spans: spans });
    });
    groups.forEach(function (g) { hoursList.append(el("li", {}, g.from + (g.to !== g.from ? "–" + g.to : "") + " " + g.spans)); });
    hoursList.append(el("li", { class: "tz" }, hours.timezone));
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
      botOn = !!data.bot;
      if (botOn) online = true; // the bot answers: chat, not the email form
      showQuick();
      showStatus(data.wait);
      if (botOn && !data.online && !(data.wait && data.wait.open_now === false)) status.textContent = t.botOnly;
      showHours(data.hours);
      knowsEmail = !!data.email;
      maxBytes = data.max_file_bytes || maxBytes;
      readUpTo = Math.max(readUpTo, (data.read && data.read.agent) || 0);
      seenSent = Math.max(seenSent, (data.read && data.read.visitor) || 0);
      if (!log.querySelector(".greeting")) log.prepend(el("li", { class: "msg agent greeting" }, t.greeting));
      (data.history || []).forEach(row);
      showRead();
      markSeen();
      flush(true);
    } else if (data.type === "ack") {
      state.pending = state.pending.filter(function (p) { return p.cid !== data.cid; });
      save();
      var li = rows["c" + data.cid];
      if (li) row({ cid: data.cid, id: data.id, from: "visitor", text: li._text.textContent });
      if (data.email) { status.textContent = fmt(t.emailSent, { email: emailInput.value }); transcriptBtn.hidden = true; }
    } else if (data.type === "message") {
      typing.textContent = "";
      row(data);
      markSeen();
    } else if (data.type === "read") {
      readUpTo = Math.max(readUpTo, data.id);
      showRead();
    } else if (data.type === "transcript") {
      knowsEmail = true;
      transcriptForm.hidden = true;
      status.textContent = fmt(t.transcriptSent, { email: data.email });
    } else if (data.type === "callback") {
      callbackForm.hidden = true;
      status.textContent = fmt(t.callbackSet, { at: when(data.at, true) });
    } else if (data.type === "error" && data.for === "transcript") {
      if (data.error === "email_needed") { transcriptForm.hidden = false; transcriptEmail.focus(); }
      status.textContent = data.error === "too_soon" ? t.transcriptWait : status.textContent;
    } else if (data.type === "error" && data.for === "callback") {
      status.textContent = t.badPhone;
      phoneInput.focus();
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

  // Files: uploaded over HTTP with the visitor token (never over the socket), shown on ack.
  var maxBytes = 10485760, knowsEmail = false;
  attachBtn.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    Array.prototype.forEach.call(fileInput.files, function (file) { upload(file, newId(), 0); });
    fileInput.value = "";
  });
  function upload(file, cid, tries) {
    var fail = function (error) { row({ cid: cid, from: "visitor", text: file.name, error: error || t.failed }); };
    row({ cid: cid, from: "visitor", text: file.name });
    if (file.size > maxBytes) return fail(t.tooBig);
    var body = new FormData();
    body.append("token", state.token || "");
    body.append("cid", cid);
    body.append("file", file);
    fetch(base + "/chat/" + encodeURIComponent(slug) + "/upload", { method: "POST", body: body })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.type === "ack") row(data.message);
        else fail(data.error === "unsupported_file" ? t.badFile : data.error === "file_too_large" ? t.tooBig : t.failed);
      })
      .catch(function () {
        if (tries < 3) setTimeout(function () { upload(file, cid, tries + 1); }, 2000 * (tries + 1)); else fail();
      });
  }

  function toggle(box, focus) {
    var show = box.hidden;
    transcriptForm.hidden = callbackForm.hidden = true;
    box.hidden = !show;
    if (show) focus.focus();
  }
  transcriptBtn.addEventListener("click", function () {
    if (knowsEmail) send({ type: "transcript" }); else toggle(transcriptForm, transcriptEmail);
  });
  transcriptForm.addEventListener("submit", function (e) {
    e.preventDefault();
    send({ type: "transcript", email: transcriptEmail.value.trim() });
  });
  callbackBtn.addEventListener("click", function () {
    // Preferred slots in the visitor's own time: as soon as possible, or a half day ahead.
    slotSelect.textContent = "";
    slotSelect.append(el("option", { value: "" }, t.asap));
    var now = new Date();
    [0, 1].forEach(function (d) {
      [[9, 12, t.morning], [12, 17, t.afternoon]].forEach(function (p) {
        var a = new Date(now.getFullYear(), now.getMonth(), now.getDate() + d, p[0]);
        var b = new Date(now.getFullYear(), now.getMonth(), now.getDate() + d, p[1]);
        if (b > now) slotSelect.append(el("option", { value: a.toISOString() + "|" + b.toISOString() }, (d ? t.tomorrow : t.today) + ", " + p[2] + " (" + when(a) + "–" + when(b) + ")"));
      });
    });
    toggle(callbackForm, phoneInput);
  });
  callbackForm.addEventListener("submit", function (e) {
    e.preventDefault();
    send({ type: "callback", phone: phoneInput.value.trim(), name: nameInput.value.trim(), slot: slotSelect.value ? slotSelect.value.split("|") : null });
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
