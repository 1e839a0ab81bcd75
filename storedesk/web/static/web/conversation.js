/* The conversation page: live timeline, presence ("Leo is viewing / typing…"), collision warnings,
   composer tabs, macro insertion, @mention suggestions. Built on htmx and live.js (window.StoredeskLive).
   Everything here is an enhancement: without JavaScript the page's forms post and redirect. */
(function () {
  "use strict";

  const main = document.querySelector("main.conv[data-conversation-id]");
  if (!main) return;

  const conversationId = Number(main.dataset.conversationId);
  const me = Number(main.dataset.me);
  const timelineUrl = main.dataset.timelineUrl;
  const headerUrl = main.dataset.headerUrl;
  const HEARTBEAT_MS = 20000;   // consumers.VIEWING_HEARTBEAT_S
  const TYPING_EVERY_MS = 2000; // typing is re-announced at most this often while keys are pressed
  const agents = JSON.parse((document.getElementById("agents-data") || {}).textContent || "[]");

  const $ = (selector, root) => (root || document).querySelector(selector);
  const timelineEl = () => document.getElementById("timeline");
  const textarea = () => $("[data-composer-text]");
  const mode = () => (($("#composer input[name=mode]:checked") || {}).value || "reply");
  let lastId = Number((timelineEl() || {}).dataset?.lastId || 0);

  // ---- the timeline: append what is new since our last message (live, after sending, after a reconnect)
  let inflight = null;
  let again = false;

  function fetchNew() {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      do {
        again = false;
        const response = await fetch(`${timelineUrl}?after=${lastId}`, {
          credentials: "same-origin",
          headers: { "HX-Request": "true" },
        });
        if (!response.ok) break;
        appendItems(await response.text());
      } while (again);
    })().catch(() => {}).finally(() => { inflight = null; });
    return inflight;
  }

  function appendItems(html) {
    const list = timelineEl();
    const template = document.createElement("template");
    template.innerHTML = html;
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
    const added = [];
    for (const node of Array.from(template.content.children)) {
      const id = Number(node.dataset && node.dataset.messageId);
      if (!id || document.getElementById(`m-${id}`)) continue;  // already shown: live and reply raced
      list.appendChild(node);
      added.push(node);
      if (id > lastId) lastId = id;
    }
    list.dataset.lastId = String(lastId);
    if (!added.length) return added;
    added.forEach((node) => window.htmx && window.htmx.process(node));
    const mine = added.some((node) => Number(node.dataset.author) === me);
    if (nearEnd || mine) scrollToEnd();
    updateSeen();
    return added;
  }

  function scrollToEnd() {
    const list = timelineEl();
    if (list) list.scrollTop = list.scrollHeight;
    const last = list && list.lastElementChild;
    if (last && window.matchMedia("(max-width: 900px)").matches) last.scrollIntoView({ block: "nearest" });
  }

  // The collision check: `seen` is the last message id when the agent started writing. While the
  // composer is empty it follows the timeline; once they type, it stays put until they send.
  function updateSeen() {
    const seen = $("[data-seen]");
    const text = textarea();
    if (seen && (!text || !text.value.trim())) seen.value = String(lastId);
  }

  // Re-fetch the header after a change elsewhere — but not under the agent's hands: while they
  // are in one of its fields or menus, wait until they leave it.
  let headerStale = false;

  function refreshHeader() {
    const header = document.getElementById("conv-header");
    if (!window.htmx || !header) return;
    if (header.contains(document.activeElement) || header.querySelector("details[open]")) {
      headerStale = true;
      return;
    }
    headerStale = false;
    window.htmx.ajax("GET", headerUrl, { target: "#conv-header", swap: "outerHTML" });
  }

  document.addEventListener("focusout", () => {
    if (headerStale) setTimeout(refreshHeader, 0);
  });
  document.addEventListener("toggle", (event) => {
    if (headerStale && !event.target.open) setTimeout(refreshHeader, 0);
  }, true);

  function flash(message, kind) {
    const box = document.getElementById("flash");
    if (!box) return;
    const alert = document.createElement("div");
    alert.className = `alert alert-${kind || "info"}`;
    alert.setAttribute("role", kind === "error" ? "alert" : "status");
    alert.dataset.testid = "live-notice";
    const text = document.createElement("span");
    text.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "alert-close";
    close.setAttribute("aria-label", "Dismiss");
    close.dataset.dismiss = "";
    close.textContent = "×";
    alert.append(text, close);
    box.replaceChildren(alert);
  }

  // ---- presence: who else has this conversation open, and who is typing
  const present = new Map(); // agent id → {name, viewingUntil, typingUntil}

  function onPresence(event) {
    if (event.conversation_id !== conversationId || event.actor_id === me) return;
    if (event.type === "presence.left") {
      present.delete(event.actor_id);
    } else {
      const now = Date.now();
      const entry = present.get(event.actor_id) || { name: event.agent_name, viewingUntil: 0, typingUntil: 0 };
      entry.name = event.agent_name;
      if (event.type === "presence.viewing") entry.viewingUntil = now + event.expires_in * 1000;
      if (event.type === "presence.typing") {
        entry.typingUntil = now + event.expires_in * 1000;
        entry.viewingUntil = Math.max(entry.viewingUntil, now + HEARTBEAT_MS * 3);
      }
      present.set(event.actor_id, entry);
    }
    renderPresence();
  }

  function renderPresence() {
    const box = document.getElementById("presence");
    if (!box) return;
    const now = Date.now();
    const typing = [];
    const viewing = [];
    for (const [id, entry] of present) {
      if (entry.viewingUntil < now && entry.typingUntil < now) present.delete(id);
      else if (entry.typingUntil >= now) typing.push(entry.name);
      else viewing.push(entry.name);
    }
    const parts = [];
    const say = (names, one, many) => `${names.join(", ")} ${names.length === 1 ? one : many}`;
    if (typing.length) parts.push(["typing", say(typing, "is typing…", "are typing…")]);
    if (viewing.length) parts.push(["viewing", say(viewing, "is viewing", "are viewing")]);
    const signature = JSON.stringify(parts);
    if (box.dataset.signature === signature) return;
    box.dataset.signature = signature;
    box.replaceChildren(...parts.map(([kind, text]) => {
      const span = document.createElement("span");
      span.className = `presence-${kind}`;
      span.dataset.testid = `presence-${kind}`;
      span.textContent = text;
      return span;
    }));
  }
  setInterval(renderPresence, 1000);

  // ---- live events (live.js): this conversation's changes and presence
  const Live = window.StoredeskLive;

  // Presence is only worth sending while connected: live.js would queue it, and a stale
  // "typing" or a pile of heartbeats replayed after a reconnect says nothing true.
  // ("hello" follows every (re)connect and re-announces us.)
  function liveSend(payload) {
    if (Live && Live.state === "open") Live.send(payload);
  }

  function unwrap(data) {
    // live.js hands handlers the event; tolerate a whole frame ({type: "event", event}) too.
    return data && data.type === "event" && data.event ? data.event : data;
  }

  function onMessageCreated(data) {
    const event = unwrap(data);
    if (!event.conversation || event.conversation.id !== conversationId) return;
    const author = present.get(event.actor_id);
    if (author) author.typingUntil = 0;
    renderPresence();
    const fromColleague = event.message && event.message.direction === "outbound" && event.actor_id !== me;
    const text = textarea();
    if (fromColleague && text && text.value.trim() && mode() === "reply") {
      flash(`${event.message.author_name} just replied. Read it before you send yours.`, "warning");
    }
    fetchNew();
  }

  // An outbound email failed or bounced after it was shown: update its badge in place, and
  // tell its author (the reply they think went out did not).
  function onMessageUpdated(data) {
    const event = unwrap(data);
    if (!event.conversation || event.conversation.id !== conversationId || !event.message) return;
    const status = event.changes && event.changes.delivery_status ? event.changes.delivery_status[1] : "";
    const error = event.changes && event.changes.delivery_error ? event.changes.delivery_error[1] : "";
    const item = document.getElementById(`m-${event.message.id}`);
    if (item && status) {
      let badge = item.querySelector(".delivery");
      if (!badge) {
        badge = document.createElement("span");
        badge.dataset.testid = "delivery";
        const head = item.querySelector(".msg-head");
        if (head) head.appendChild(badge);
      }
      badge.className = `delivery delivery-${status}`;
      const label = status.charAt(0).toUpperCase() + status.slice(1);
      badge.textContent = error ? `${label}: ${error}` : label;
    }
    if ((status === "failed" || status === "bounced") && item && Number(item.dataset.author) === me) {
      flash(`Your reply was not delivered (${status}): ${error}`, "error");
    }
  }

  function onConversationUpdated(data) {
    const event = unwrap(data);
    if (event.conversation && event.conversation.id === conversationId) refreshHeader();
  }

  function onMerged(data) {
    const event = unwrap(data);
    if (event.source_id === conversationId) {
      window.location.assign(`/c/${event.conversation.id}/`);
    } else if (event.conversation && event.conversation.id === conversationId) {
      window.location.reload();  // messages moved in keep their (older) times: redraw in order
    }
  }

  function announce() {
    liveSend({ viewing: conversationId });
  }

  // After a dropped connection (live.js re-subscribes by itself; "hello" re-announces us):
  // fetch whatever happened meanwhile.
  function catchUp() {
    fetchNew();
    refreshHeader();
  }

  if (Live) {
    Live.connect();
    if (Live.subscribe) Live.subscribe(conversationId);
    Live.on("message.created", onMessageCreated);
    Live.on("conversation.updated", onConversationUpdated);
    Live.on("message.updated", onMessageUpdated);
    Live.on("conversation.merged", onMerged);
    for (const type of ["presence.viewing", "presence.typing", "presence.left"]) {
      Live.on(type, (data) => onPresence(unwrap(data)));
    }
    Live.on("notification.created", () => document.body.dispatchEvent(new CustomEvent("storedesk:notification")));
    Live.on("hello", announce);
    document.addEventListener("storedesk:reconnected", catchUp);
    announce();  // in case the socket was already open (another script connected it first)
    setInterval(announce, HEARTBEAT_MS);
    window.addEventListener("pagehide", () => {
      liveSend({ left: conversationId });
      if (Live.unsubscribe) Live.unsubscribe(conversationId);
    });
  }

  // ---- the composer
  let lastTyping = 0;
  let lastSubmitter = null;

  function setMode(value) {
    const form = document.getElementById("composer");
    if (!form) return;
    form.classList.toggle("mode-note", value === "note");
    form.classList.toggle("mode-reply", value !== "note");
    const text = textarea();
    if (text) {
      text.placeholder = value === "note"
        ? "Write an internal note… type @ to mention an agent"
        : "Write a reply to the customer…";
    }
    hideMentions();
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("#composer input[name=mode]")) {
      setMode(target.value);
    } else if (target.matches("#composer select[name=macro]") && target.value) {
      const insert = $("[data-testid=macro-insert]");
      if (insert) insert.click();
    } else if (target.matches("#composer input[type=file]")) {
      const names = $("[data-attach-names]");
      if (names) names.textContent = Array.from(target.files).map((f) => f.name).join(", ");
    }
  });

  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-composer-text]")) return;
    const now = Date.now();
    if (event.target.value.trim() && now - lastTyping > TYPING_EVERY_MS) {
      lastTyping = now;
      liveSend({ typing: conversationId });
    }
    if (!event.target.value.trim()) updateSeen();
    suggestMentions(event.target);
  });

  document.addEventListener("click", (event) => {
    const target = event.target;
    const dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      dismiss.closest(".alert").remove();
      return;
    }
    const send = target.closest("[data-send]");
    if (send) lastSubmitter = send;
    if (target.closest("[data-collision-send]")) {
      const force = $("[data-force]");
      if (force) force.value = "1";
      (lastSubmitter && document.contains(lastSubmitter) ? lastSubmitter : $("[data-testid=send]")).click();
      return;
    }
    const pick = target.closest("[data-mention-id]");
    if (pick) {
      event.preventDefault();
      insertMention(pick.dataset.mentionName);
      return;
    }
    // A click on a tab (or keys.js "r" / "n", which clicks it): switch, then write.
    if (target.closest("#composer .tab")) {
      setTimeout(() => {
        setMode(mode());
        const text = textarea();
        if (text) text.focus();
      });
      return;
    }
    const toggle = target.closest("[data-sidebar-toggle]");
    if (toggle) {
      const open = main.classList.toggle("sidebar-open");
      toggle.setAttribute("aria-expanded", String(open));
    }
  });

  document.addEventListener("keydown", (event) => {
    if (!event.target.matches || !event.target.matches("[data-composer-text]")) return;
    const list = $("[data-mention-list]");
    if (list && !list.hidden) {
      const options = Array.from(list.querySelectorAll("[data-mention-id]"));
      let index = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        index = (index + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
        options.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        insertMention(options[Math.max(index, 0)].dataset.mentionName);
        return;
      }
      if (event.key === "Escape") {
        hideMentions();
        return;
      }
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const button = $(mode() === "note" ? "[data-testid=add-note]" : "[data-testid=send]");
      if (button) button.click();
    }
  });

  // The server answered a send: a fresh composer came back; show the new message(s).
  document.body.addEventListener("storedesk:sent", () => {
    const box = document.getElementById("flash");
    if (box) box.replaceChildren();
    lastTyping = 0;
    fetchNew().then(updateSeen);
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const elt = event.detail && event.detail.elt;
    if (elt && elt.matches && elt.matches("[data-testid=macro-insert]")) {
      const text = textarea();
      const picker = $("#composer select[name=macro]");
      if (picker) picker.value = "";
      if (text) {
        text.focus();
        text.setSelectionRange(text.value.length, text.value.length);
      }
    }
    setMode(mode());
  });

  // ---- @mentions (notes only): suggest the store's agents, insert "@Name "
  function mentionQuery(text) {
    if (mode() !== "note") return null;
    const before = text.value.slice(0, text.selectionStart);
    const match = /(^|[\s(])@([\w.-]*)$/.exec(before);
    return match ? match[2].toLowerCase() : null;
  }

  function suggestMentions(text) {
    const list = $("[data-mention-list]");
    if (!list) return;
    const query = mentionQuery(text);
    if (query === null) return hideMentions();
    const found = agents
      .filter((a) => a.id !== me)
      .filter((a) => a.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(query))
        || a.name.toLowerCase().startsWith(query) || a.handle.toLowerCase().startsWith(query))
      .slice(0, 6);
    if (!found.length) return hideMentions();
    list.replaceChildren(...found.map((agent, i) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(i === 0));
      item.dataset.mentionId = String(agent.id);
      item.dataset.mentionName = agent.name;
      item.dataset.testid = "mention-option";
      item.textContent = `${agent.name} (@${agent.handle})`;
      return item;
    }));
    list.hidden = false;
  }

  function hideMentions() {
    const list = $("[data-mention-list]");
    if (list) list.hidden = true;
  }

  function insertMention(name) {
    const text = textarea();
    if (!text) return;
    const caret = text.selectionStart;
    const before = text.value.slice(0, caret).replace(/@([\w.-]*)$/, `@${name} `);
    text.value = before + text.value.slice(caret);
    text.focus();
    text.setSelectionRange(before.length, before.length);
    hideMentions();
  }

  setMode(mode());
  updateSeen();
  scrollToEnd();
})();
