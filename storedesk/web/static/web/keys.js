/* keys.js — keyboard shortcuts on every agent page (included from base.html).

   Lists (any element marked data-row, e.g. inbox and dashboard rows):
     j / k      move the highlight down / up          Enter or o   open the highlighted row
     x          tick / untick the highlighted row's checkbox
   Everywhere:
     /          focus the element marked data-shortcut="/" (the search box)
     ?          show / hide the list of shortcuts      Esc   close it, or leave the field you are in
     g i / g h  go to the inbox / home
   Page actions: any other single key K clicks (or, for a field, focuses) the visible element
   marked data-shortcut="K" — the conversation page marks r reply, n note, e resolve, a assign;
   the inbox marks e (resolve) and a (assign) for the ticked rows. Label one with
   data-shortcut-label="…" for the ? list.

   Before acting on K, a cancelable "storedesk:shortcut" event (detail {key}) is dispatched on
   document: a page may prepare (the inbox ticks the highlighted row) or preventDefault().
   Nothing fires while typing in an input, textarea, select or contenteditable (except Esc), or
   with Ctrl / Alt / Meta held. */
(function () {
  "use strict";
  if (window.StoredeskKeys) return;

  const BUILT_IN = [
    ["j / k", "Next / previous conversation"],
    ["Enter", "Open the highlighted conversation"],
    ["x", "Tick the highlighted conversation"],
    ["/", "Search"],
    ["g i", "Go to the inbox"],
    ["g h", "Go home"],
    ["?", "Show these shortcuts"],
    ["Esc", "Close / leave the field"],
  ];
  const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset", "image", "range", "color", "file"]);
  let overlay = null;
  let lastFocus = null;
  let pendingG = 0;

  function isTyping(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    const tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !NOT_TYPING.has((element.type || "text").toLowerCase());
  }

  function visible(element) {
    return element.getClientRects().length > 0 && !element.closest("[hidden]");
  }

  // ---- the highlighted row -------------------------------------------------------------
  function rows() {
    return Array.from(document.querySelectorAll("[data-row]")).filter(visible);
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const current = all.findIndex((row) => row.classList.contains("is-selected"));
    let next = current === -1 ? (step > 0 ? 0 : all.length - 1) : current + step;
    next = Math.max(0, Math.min(all.length - 1, next));
    if (current !== -1) {
      all[current].classList.remove("is-selected");
      all[current].removeAttribute("aria-current");
    }
    const row = all[next];
    row.classList.add("is-selected");
    row.setAttribute("aria-current", "true");
    // Focus follows the highlight (screen readers announce the row; Enter opens its link).
    const link = row.querySelector("[data-open]") || row.querySelector("a[href]");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function selectedRow() {
    return rows().find((row) => row.classList.contains("is-selected")) || null;
  }

  function openSelected() {
    const row = selectedRow();
    const link = row && (row.querySelector("[data-open]") || row.querySelector("a[href]"));
    if (!link) return false;
    link.click();
    return true;
  }

  function toggleSelected() {
    const row = selectedRow();
    const box = row && row.querySelector('input[type="checkbox"]');
    if (!box) return false;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  // ---- data-shortcut elements ----------------------------------------------------------------
  function target(key) {
    const selector = `[data-shortcut="${window.CSS && CSS.escape ? CSS.escape(key) : key}"]`;
    return Array.from(document.querySelectorAll(selector)).find((el) => visible(el) && !el.disabled) || null;
  }

  function activate(element) {
    if (isTyping(element) || element.tagName === "SELECT") {
      element.focus();
      if (typeof element.select === "function" && element.tagName === "INPUT") element.select();
    } else {
      element.click();
    }
  }

  // ---- the ? overlay ----------------------------------------------------------------------
  const STYLE = `
.kbd-overlay { position: fixed; inset: 0; z-index: 1000; display: grid; place-items: center;
  background: rgb(10 14 22 / 55%); padding: 1rem; }
.kbd-overlay .kbd-box { background: var(--surface, #fff); color: var(--text, #1f2430); border-radius: 10px;
  max-width: 440px; width: 100%; max-height: 85vh; overflow: auto; padding: 1.2rem 1.4rem;
  box-shadow: 0 10px 30px rgb(0 0 0 / 30%); }
.kbd-overlay h2 { margin: 0 0 .75rem; font-size: 1.1rem; display: flex; justify-content: space-between; }
.kbd-overlay dl { display: grid; grid-template-columns: auto 1fr; gap: .35rem 1rem; margin: 0; }
.kbd-overlay dt { white-space: nowrap; }
.kbd-overlay dd { margin: 0; color: var(--muted, #5f6b7a); }
.kbd-overlay kbd { font-family: var(--mono, monospace); font-size: .85rem; padding: .05rem .4rem;
  border: 1px solid var(--border, #dde1e7); border-bottom-width: 2px; border-radius: 4px; background: var(--bg, #f6f7f9); }
.kbd-overlay .kbd-close { background: none; border: 0; font-size: 1.3rem; line-height: 1; cursor: pointer; color: inherit; }`;

  function pageShortcuts() {
    const seen = new Map();
    for (const el of document.querySelectorAll("[data-shortcut]")) {
      const key = el.dataset.shortcut;
      if (key === "/" || seen.has(key)) continue; // listed even while hidden (e.g. until rows are ticked)
      const label = el.dataset.shortcutLabel || el.getAttribute("aria-label") || el.title || el.textContent.trim();
      seen.set(key, label);
    }
    return Array.from(seen.entries());
  }

  function kbd(text) {
    return text
      .split(" ")
      .map((part) => (part === "/" && text.includes(" / ") ? " / " : `<kbd>${part.replace(/</g, "&lt;")}</kbd>`))
      .join("");
  }

  function escapeText(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function openOverlay() {
    if (overlay) return;
    if (!document.getElementById("kbd-style")) {
      const style = document.createElement("style");
      style.id = "kbd-style";
      style.textContent = STYLE;
      document.head.appendChild(style);
    }
    const entries = [...BUILT_IN, ...pageShortcuts()];
    overlay = document.createElement("div");
    overlay.className = "kbd-overlay";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-labelledby", "kbd-title");
    overlay.dataset.testid = "shortcuts-overlay";
    overlay.innerHTML =
      '<div class="kbd-box"><h2 id="kbd-title">Keyboard shortcuts ' +
      '<button type="button" class="kbd-close" aria-label="Close">×</button></h2><dl>' +
      entries.map(([key, label]) => `<dt>${kbd(key)}</dt><dd>${escapeText(label)}</dd>`).join("") +
      "</dl></div>";
    overlay.addEventListener("click", (e) => {
      if (e.target === overlay || e.target.closest(".kbd-close")) closeOverlay();
    });
    lastFocus = document.activeElement;
    document.body.appendChild(overlay);
    overlay.querySelector(".kbd-close").focus();
  }

  function closeOverlay() {
    if (!overlay) return false;
    overlay.remove();
    overlay = null;
    if (lastFocus && typeof lastFocus.focus === "function") lastFocus.focus();
    return true;
  }

  // ---- the key handler ---------------------------------------------------------------------
  function handle(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const key = e.key;
    if (key === "Escape") {
      if (closeOverlay()) {
        e.preventDefault();
      } else if (isTyping(document.activeElement)) {
        document.activeElement.blur();
        e.preventDefault();
      }
      return;
    }
    if (isTyping(e.target)) return;
    if (overlay) {
      if (key === "?") {
        closeOverlay();
        e.preventDefault();
      }
      return;
    }

    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      const to = { i: "/inbox/", h: "/" }[key];
      if (to) {
        e.preventDefault();
        window.location.assign(to);
        return;
      }
    }
    pendingG = 0;

    let done = false;
    if (key === "j") {
      move(1);
      done = true;
    } else if (key === "k") {
      move(-1);
      done = true;
    } else if (key === "Enter" || key === "o") {
      // Enter on a focused link or button keeps its own meaning.
      if (key === "Enter" && e.target.closest && e.target.closest("a, button")) return;
      done = openSelected();
    } else if (key === "x") {
      done = toggleSelected();
    } else if (key === "?") {
      openOverlay();
      done = true;
    } else if (key === "g") {
      pendingG = Date.now();
      done = true;
    } else if (key.length === 1) {
      const event = new CustomEvent("storedesk:shortcut", { detail: { key }, cancelable: true });
      if (!document.dispatchEvent(event)) return;
      const element = target(key);
      if (element) {
        activate(element);
        done = true;
      }
    }
    if (done) e.preventDefault();
  }

  document.addEventListener("keydown", handle);
  window.StoredeskKeys = { open: openOverlay, close: closeOverlay, move, openSelected };
})();
