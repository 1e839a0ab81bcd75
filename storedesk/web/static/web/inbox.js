/* The inbox page: live updates, selection for bulk changes, filters that apply themselves.
   Built on htmx and live.js (window.StoredeskLive). Without JavaScript the page still works:
   filters are a GET form, "Load more" is a link, bulk changes post and redirect. */
(function () {
  "use strict";

  const root = document.querySelector("[data-inbox]");
  if (!root) return;

  const d = root.dataset;
  const me = Number(d.me);
  const newBar = root.querySelector("[data-new-bar]");
  const newCount = root.querySelector("[data-new-count]");
  const bulk = document.getElementById("bulk");
  const liveState = root.querySelector("[data-live-state]");
  const fresh = new Set(); // conversations that now belong here but are not shown yet

  const list = () => document.getElementById("inbox-list");
  const rowOf = (id) => list() && list().querySelector(`[data-row][data-id="${id}"]`);
  const rowUrl = (id) => d.rowUrl.replace(/\/0\/$/, `/${id}/`) + (d.query ? `?${d.query}` : "");

  // ---- does a conversation (an event's summary) belong in this view? -------------------
  function matches(event) {
    const c = event.conversation;
    if (!c) return false;
    if (d.store && Number(d.store) !== event.store_id) return false;
    if (d.status && c.status !== d.status) return false;
    if (d.view === "mine" && c.assignee_id !== me) return false;
    if (d.view === "unassigned" && c.assignee_id !== null) return false;
    if (d.team && Number(d.team) !== c.team_id) return false;
    if (d.channel && c.channel !== d.channel) return false;
    if (d.tag && !(c.tags || []).includes(d.tag)) return false;
    return true;
  }

  // Changes that can move a conversation into this view (or up to the top of it).
  const MEMBERSHIP_FIELDS = ["status", "assignee_id", "team_id", "tags", "channel"];

  function isNewHere(event) {
    if (!matches(event)) return false;
    if (event.type === "conversation.created") return true;
    if (event.type === "conversation.updated") {
      return Object.keys(event.changes || {}).some((field) => MEMBERSHIP_FIELDS.includes(field));
    }
    if (event.type === "message.created") return d.sort === "activity";
    return false;
  }

  function showNewBar() {
    if (!newBar) return;
    newCount.textContent = String(fresh.size);
    newBar.hidden = fresh.size === 0;
  }

  // ---- re-render one visible row in place (never reorders the list under the cursor) -----
  const pending = new Map();

  function refreshRow(id) {
    if (pending.has(id)) {
      pending.set(id, true); // once more after the one in flight
      return;
    }
    pending.set(id, false);
    fetch(rowUrl(id), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        const row = rowOf(id);
        if (html === null || !row) return;
        const checked = row.querySelector("input.pick")?.checked;
        const selected = row.classList.contains("is-selected");
        if (!html.trim()) {
          row.remove(); // no longer belongs in this view
          updateSelection();
          return;
        }
        const template = document.createElement("template");
        template.innerHTML = html.trim();
        const replacement = template.content.firstElementChild;
        if (checked) replacement.querySelector("input.pick").checked = true;
        if (selected) replacement.classList.add("is-selected");
        replacement.classList.add("is-fresh");
        row.replaceWith(replacement);
        if (window.htmx) window.htmx.process(replacement);
      })
      .catch(() => {})
      .finally(() => {
        const again = pending.get(id);
        pending.delete(id);
        if (again) refreshRow(id);
      });
  }

  // ---- re-fetch the whole list from the top (the "new" bar, a reconnect) ------------------
  function reloadList() {
    fresh.clear();
    showNewBar();
    if (!window.htmx) {
      window.location.reload();
      return;
    }
    window.htmx.ajax("GET", d.rowsUrl, { target: "#inbox-list", swap: "outerHTML" }).then(updateSelection);
  }

  function onEvent(event) {
    if (!event || !event.conversation) return;
    const id = event.conversation.id;
    if (event.type === "conversation.merged" && rowOf(event.source_id)) refreshRow(event.source_id);
    if (rowOf(id)) {
      refreshRow(id);
    } else if (isNewHere(event) && !fresh.has(id)) {
      fresh.add(id);
      showNewBar();
    }
  }

  if (newBar) newBar.addEventListener("click", reloadList);
  document.addEventListener("storedesk:reconnected", reloadList);
  document.addEventListener("storedesk:event", (e) => onEvent(e.detail));
  document.addEventListener("storedesk:live-state", (e) => {
    if (!liveState) return;
    const state = e.detail.state;
    liveState.dataset.state = state;
    liveState.textContent = state === "open" ? "Live" : state === "closed" ? "Reconnecting…" : "";
  });

  const Live = window.StoredeskLive;
  if (Live) {
    // The top bar's mention badge refreshes on this (see _topbar.html).
    Live.on("notification.created", () => document.body.dispatchEvent(new CustomEvent("storedesk:notification")));
    Live.connect();
  }

  // ---- selection for bulk changes ----------------------------------------------------------
  function picks() {
    return Array.from(document.querySelectorAll("#inbox-list input.pick"));
  }

  function updateSelection() {
    if (!bulk) return;
    const all = picks();
    const chosen = all.filter((box) => box.checked).length;
    const label = bulk.querySelector("[data-selected-count]");
    label.textContent = chosen ? `${chosen} selected` : "Select conversations to change them together";
    bulk.toggleAttribute("data-empty", chosen === 0);
    const selectAll = bulk.querySelector("[data-select-all]");
    selectAll.checked = chosen > 0 && chosen === all.length;
    selectAll.indeterminate = chosen > 0 && chosen < all.length;
  }

  document.addEventListener("change", (e) => {
    const target = e.target;
    if (target.matches("input.pick")) updateSelection();
    if (target.matches("[data-select-all]")) {
      for (const box of picks()) box.checked = target.checked;
      updateSelection();
    }
    // Filters apply as soon as they change (the Apply button is for typing a tag).
    const form = target.closest("form[data-autosubmit]");
    if (form && target.tagName === "SELECT") form.requestSubmit();
  });

  if (bulk) {
    // Enter in the tag box means "Tag", not the form's first button (Assign).
    const tagInput = bulk.querySelector("[data-bulk-tag]");
    tagInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        bulk.querySelector('[data-bulk-op="tag"]').click();
      }
    });
  }
  // htmx swaps only 2xx answers by default; a refused bulk change answers 4xx with the list
  // and the reason, which should be shown too.
  document.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    if (e.detail.target && e.detail.target.id === "inbox-list" && status >= 400 && status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // Whatever replaced the list (bulk change, refresh, "Load more"), recount the ticks.
  document.addEventListener("htmx:afterSettle", updateSelection);

  // A shortcut (keys.js) that acts on "the selected conversations" — e to resolve, a to
  // assign — takes the keyboard-highlighted row when nothing is ticked.
  document.addEventListener("storedesk:shortcut", (e) => {
    if (!["a", "e"].includes(e.detail.key) || picks().some((box) => box.checked)) return;
    const current = document.querySelector("#inbox-list [data-row].is-selected input.pick");
    if (current) {
      current.checked = true;
      updateSelection();
    }
  });

  updateSelection();
})();
