/* live.js — the agent UI's one WebSocket, shared by every page (vanilla JS, no framework).

   window.StoredeskLive  (stable API; other scripts build on it)
     connect()              open ws(s)://<host>/ws/agent/ once (idempotent); after a drop it
                            reconnects by itself with exponential backoff (1 s doubling to 30 s,
                            with jitter; at once when the tab comes back online/visible).
     on(type, fn)           call fn(payload) for each message of `type`; returns an "off" function.
                            - domain and realtime events, by their event type ("conversation.created",
                              "conversation.updated", "message.created", "conversation.merged",
                              "presence.typing", "notification.created", …): payload = the event
                              object ({id, type, store_id, occurred_at, actor_id, …});
                            - "*": every event;
                            - other frames by their type ("hello" — after every (re)connect —,
                              "subscribed", "error"): payload = the frame;
                            - lifecycle: "open" ({reconnected}), "close" ({code}), "reconnected".
     off(type, fn)          remove a handler.
     send(obj)              send obj as JSON now, or as soon as the socket is open (queued).
     subscribe(id)          receive conversation `id`'s events too; remembered and re-sent after
     unsubscribe(id)        every reconnect.
     close()                close for good (no reconnect).
     state                  "idle" | "connecting" | "open" | "closed"

   DOM events on document:
     "storedesk:event"        detail = the event object, for every event
     "storedesk:reconnected"  the socket is back after a drop: anything shown may be stale, so
                              pages catch up (the inbox re-fetches its list, the conversation page
                              its timeline)
     "storedesk:live-state"   detail = {state}, whenever the state changes

   The server (storedesk/conversations/consumers.py) sends {"type": "event", "event": {...}} for
   each event (typed in storedesk/core/events.py) of the agent's stores and subscribed
   conversations, and {"type": "hello", "stores": [...]} on connect. Code 4401 = not signed in:
   no reconnect then ("storedesk:unauthorized" on document). */
(function () {
  "use strict";
  if (window.StoredeskLive) return; // included by several templates: one socket per tab

  const BASE_DELAY_MS = 1000;
  const MAX_DELAY_MS = 30000;
  const MAX_QUEUE = 100;

  const handlers = new Map(); // type → Set of functions
  const subscriptions = new Set();
  const queue = [];
  let socket = null;
  let wanted = false;
  let everOpened = false;
  let attempts = 0;
  let timer = null;

  function setState(state) {
    api.state = state;
    document.dispatchEvent(new CustomEvent("storedesk:live-state", { detail: { state } }));
  }

  function emit(type, payload) {
    const set = handlers.get(type);
    if (!set) return;
    for (const fn of Array.from(set)) {
      try {
        fn(payload);
      } catch (error) {
        console.error("StoredeskLive handler for", type, "failed:", error);
      }
    }
  }

  function url() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${window.location.host}/ws/agent/`;
  }

  function raw(obj) {
    socket.send(JSON.stringify(obj));
  }

  function open() {
    clearTimeout(timer);
    timer = null;
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    setState("connecting");
    const ws = new WebSocket(url());
    socket = ws;

    ws.onopen = () => {
      if (socket !== ws) return;
      const reconnected = everOpened;
      everOpened = true;
      attempts = 0;
      setState("open");
      for (const id of subscriptions) raw({ subscribe: id });
      while (queue.length) raw(queue.shift());
      emit("open", { reconnected });
      if (reconnected) {
        emit("reconnected", {});
        document.dispatchEvent(new CustomEvent("storedesk:reconnected"));
      }
    };

    ws.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (_) {
        return;
      }
      if (frame && frame.type === "event" && frame.event) {
        emit(frame.event.type, frame.event);
        emit("*", frame.event);
        document.dispatchEvent(new CustomEvent("storedesk:event", { detail: frame.event }));
      } else if (frame && frame.type) {
        emit(frame.type, frame);
      }
    };

    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      setState("closed");
      emit("close", { code: event.code });
      if (!wanted) return;
      if (event.code === 4401) {
        wanted = false;
        document.dispatchEvent(new CustomEvent("storedesk:unauthorized"));
        return;
      }
      schedule();
    };
  }

  function schedule() {
    if (timer) return;
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempts) * (0.5 + Math.random() / 2);
    attempts += 1;
    timer = setTimeout(open, delay);
  }

  function retryNow() {
    if (wanted && !socket) {
      attempts = 0;
      open();
    }
  }

  const api = {
    state: "idle",
    connect() {
      wanted = true;
      open();
      return api;
    },
    on(type, fn) {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(fn);
      return () => api.off(type, fn);
    },
    off(type, fn) {
      const set = handlers.get(type);
      if (set) set.delete(fn);
    },
    send(obj) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        raw(obj);
      } else {
        queue.push(obj);
        if (queue.length > MAX_QUEUE) queue.shift();
      }
    },
    subscribe(conversationId) {
      const id = Number(conversationId);
      if (subscriptions.has(id)) return;
      subscriptions.add(id);
      if (socket && socket.readyState === WebSocket.OPEN) raw({ subscribe: id });
    },
    unsubscribe(conversationId) {
      const id = Number(conversationId);
      if (!subscriptions.delete(id)) return;
      if (socket && socket.readyState === WebSocket.OPEN) raw({ unsubscribe: id });
    },
    close() {
      wanted = false;
      clearTimeout(timer);
      timer = null;
      if (socket) socket.close(1000);
    },
    // For tests and diagnostics: drop the connection as a network failure would (it reconnects).
    _drop() {
      if (socket) socket.close(4000);
    },
  };

  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retryNow();
  });
  window.StoredeskLive = api;
})();
