/* agent.js — live chat in the agent UI, on top of window.StoredeskLive (web/live.js).

   Every page that loads it (inbox, conversation):
   - a new chat ("conversation.created" on the chat channel) plays a short WebAudio beep and shows
     a browser notification, once per chat across the agent's tabs. Both are switched on with the
     "Chat alerts" button in the top bar: the click is the user gesture browsers require before
     Notification.requestPermission() and audio. No file, no CDN.
   The conversation page of a chat (the sidebar's live chat card, [data-livechat-visitor]):
   - "livechat.visitor" events keep the visitor's page and presence current;
   - "livechat.read" events, and the marker stored on the visitor, put "Seen" under the last
     reply the visitor has seen;
   - while the page is visible, the newest customer message is reported read
     (POST /chat/read/<conversation>/), which the visitor's widget shows as "Read". */
(function () {
  "use strict";
  if (!window.StoredeskLive || window.StoredeskChatAgent) return;
  window.StoredeskChatAgent = true;
  var live = window.StoredeskLive;
  var PREF = "storedesk.chatAlerts";
  var audio = null;

  function alertsOn() {
    try { return localStorage.getItem(PREF) === "on"; } catch (e) { return false; }
  }
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    if (audio.state === "suspended") audio.resume();
  }
  // Any click or key on the page counts as the gesture that lets the beep play.
  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, function () { if (alertsOn()) unlockAudio(); }, { once: true, capture: true });
  });

  function beep() {
    if (!audio || audio.state !== "running") return;
    var start = audio.currentTime;
    [880, 660].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.12, start + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.18 + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + i * 0.18);
      osc.stop(start + i * 0.18 + 0.17);
    });
  }

  function firstTime(id) {
    // One alert per chat however many tabs the agent has open.
    var key = "storedesk.chatAlerted." + id;
    try {
      if (localStorage.getItem(key)) return false;
      localStorage.setItem(key, "1");
    } catch (e) { /* private mode: alert in every tab */ }
    return true;
  }

  function newChat(event) {
    var c = event.conversation || {};
    if (c.channel !== "chat" || !alertsOn() || !firstTime(c.id)) return;
    window.StoredeskChatAgent = { lastAlert: c.id };
    beep();
    if (window.Notification && Notification.permission === "granted") {
      var note = new Notification("New chat: " + (c.customer_name || "a visitor"), { body: c.preview || "", tag: "storedesk-chat-" + c.id });
      note.onclick = function () { window.focus(); window.location.href = "/c/" + c.id + "/"; };
    }
  }
  live.on("conversation.created", newChat);

  function alertsButton() {
    var bar = document.querySelector(".topbar");
    if (!bar) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button chat-alerts";
    button.setAttribute("data-testid", "chat-alerts");
    function label() {
      var on = alertsOn();
      button.textContent = on ? "Chat alerts: on" : "Chat alerts: off";
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var on = !alertsOn();
      try { localStorage.setItem(PREF, on ? "on" : "off"); } catch (e) { /* ignore */ }
      if (on) {
        unlockAudio();
        beep();
        if (window.Notification && Notification.permission === "default") Notification.requestPermission();
      }
      label();
    });
    label();
    bar.insertBefore(button, bar.querySelector(".agent"));
  }

  // --- the conversation page of a chat ----------------------------------------------------

  var card = document.querySelector("[data-livechat-visitor]");
  function currentCard() {
    // The sidebar may be re-rendered by htmx: always look it up again.
    return document.querySelector("[data-livechat-visitor]") || card;
  }
  var conversationId = card ? +card.getAttribute("data-conversation") : 0;
  var seenUpTo = card ? +(card.getAttribute("data-visitor-read") || 0) : 0;
  var readSent = card ? +(card.getAttribute("data-agent-read") || 0) : 0;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function showSeen() {
    // Idempotent (it runs after every DOM change): touches the DOM only when the mark moves.
    var last = null;
    var rows = document.querySelectorAll('.msg[data-direction="outbound"][data-message-id]');
    rows.forEach(function (li) { if (+li.getAttribute("data-message-id") <= seenUpTo) last = li; });
    var marks = document.querySelectorAll("[data-testid=seen]");
    if (marks.length === (last ? 1 : 0) && (!last || last.contains(marks[0]))) return;
    marks.forEach(function (mark) { mark.remove(); });
    if (!last) return;
    var mark = document.createElement("span");
    mark.className = "muted small seen";
    mark.setAttribute("data-testid", "seen");
    mark.textContent = "· Seen";
    (last.querySelector(".msg-head") || last).append(mark);
  }

  function reportRead() {
    if (!conversationId || document.visibilityState !== "visible") return;
    var max = 0;
    document.querySelectorAll('.msg[data-direction="inbound"][data-message-id]').forEach(function (li) {
      max = Math.max(max, +li.getAttribute("data-message-id") || 0);
    });
    if (max <= readSent) return;
    readSent = max;
    fetch("/chat/read/" + conversationId + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ message_id: max })
    }).catch(function () { readSent = 0; });
  }

  function showVisitor(event) {
    var box = currentCard();
    if (!box) return;
    var presence = box.querySelector("[data-visitor-presence]");
    var seen = box.querySelector("[data-visitor-seen]");
    if (presence) {
      presence.textContent = box.getAttribute(event.online ? "data-online-text" : "data-away-text");
      presence.className = event.online ? "ok" : "muted";
      presence.setAttribute("data-testid", event.online ? "visitor-online" : "visitor-away");
    }
    if (seen) seen.hidden = event.online;
    var line = box.querySelector("[data-visitor-page-line]");
    var link = box.querySelector("[data-testid=visitor-page]");
    if (line && link && event.page_url) {
      line.hidden = false;
      link.href = event.page_url;
      var text = event.page_title || event.page_url;
      link.textContent = text.length > 60 ? text.slice(0, 59) + "…" : text;
    }
  }

  if (conversationId) {
    live.on("livechat.visitor", function (event) { if (event.conversation_id === conversationId) showVisitor(event); });
    live.on("livechat.read", function (event) {
      if (event.conversation_id !== conversationId) return;
      seenUpTo = Math.max(seenUpTo, event.message_id);
      showSeen();
    });
    document.addEventListener("visibilitychange", reportRead);
    // New messages arrive in the timeline by htmx/live updates: re-check after each change.
    var pending = null;
    new MutationObserver(function () {
      clearTimeout(pending);
      pending = setTimeout(function () { showSeen(); reportRead(); }, 200);
    }).observe(document.body, { childList: true, subtree: true });
    showSeen();
    reportRead();
  }

  alertsButton();
  live.connect();
})();
