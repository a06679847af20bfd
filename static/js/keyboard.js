// The keyboard: a caret to move and select in the text, and the page's shortcuts.

import { closeCreate, openCreate, selectionDone, stopCuePick } from "./claim-form.js";
import { selectedSpan } from "./highlights.js";
import { closeEdit, deselect, selectedPanel, step, toggleEdit } from "./panel.js";

// Left and right are the screen's: in a right-to-left paragraph (each has dir="auto")
// the left arrow moves on through the text, as readers of Arabic expect.
const MOVES = {
  ArrowLeft: ["left", "character"],
  ArrowRight: ["right", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};

/**
 * The keyboard's way through the text. Browsers move no caret in text that is not
 * editable (unless the reader turns on caret browsing), so the page moves one: the
 * arrows move it, Shift + arrows select, Ctrl moves by words. A drawn line shows it.
 */
export function setupCaret(ctx) {
  const { text: textEl, reader } = ctx.els;
  const caret = document.createElement("span");
  caret.className = "text-caret";
  caret.hidden = true;
  caret.setAttribute("aria-hidden", "true");
  reader.append(caret);

  function caretAtStart() {
    const selection = document.getSelection();
    if (selection.rangeCount && textEl.contains(selection.focusNode)) return;
    const first = document.createTreeWalker(textEl, NodeFilter.SHOW_TEXT).nextNode();
    if (first) selection.collapse(first, 0);
  }

  function drawCaret() {
    const selection = document.getSelection();
    const show = document.activeElement === textEl && selection.rangeCount > 0 && textEl.contains(selection.focusNode);
    caret.hidden = !show;
    if (!show) return;
    const at = document.createRange();
    at.setStart(selection.focusNode, selection.focusOffset);
    const rect = at.getClientRects()[0] || at.getBoundingClientRect();
    const host = reader.getBoundingClientRect();
    caret.style.left = `${rect.left - host.left}px`;
    caret.style.top = `${rect.top - host.top}px`;
    caret.style.height = `${rect.height || 20}px`;
  }

  textEl.addEventListener("focus", () => {
    if (textEl.matches(":focus-visible")) caretAtStart(); // came by keyboard
    drawCaret();
  });
  textEl.addEventListener("blur", drawCaret);
  document.addEventListener("selectionchange", drawCaret);
  textEl.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (event.key === "Enter" && !document.getSelection().isCollapsed) {
      event.preventDefault();
      return selectionDone(ctx, { focus: true });
    }
    if (!move || event.altKey || event.metaKey) return;
    event.preventDefault();
    caretAtStart();
    const [direction, granularity] = move;
    const by = event.ctrlKey && granularity === "character" ? "word" : granularity;
    document.getSelection().modify(event.shiftKey ? "extend" : "move", direction, by);
  });
}

const isTyping = (target) =>
  Boolean(target.closest?.("textarea, select, [contenteditable]")) ||
  (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type));

/** The shortcuts: `?` lists them; `colourBy` switches the highlights' colours. */
export function setupShortcuts(ctx, { colourBy }) {
  const { shortcuts, createForm, desk } = ctx.els;
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = isTyping(target);
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing && target.form?.dataset.ajax) {
      event.preventDefault();
      target.form.requestSubmit(target.form.querySelector("button[type=submit]"));
      return;
    }
    if (event.key === "Escape") {
      if (shortcuts.open) return; // the dialog closes itself
      const inForm = Boolean(createForm?.contains(target));
      if (stopCuePick(ctx) || closeCreate(ctx, { backToText: inForm }) || closeEdit(ctx) || deselect(ctx)) {
        event.preventDefault();
      }
      return;
    }
    if (typing || event.altKey || event.ctrlKey || event.metaKey || shortcuts.open) return;
    const panel = selectedPanel(ctx);
    const actions = {
      "?": () => shortcuts.showModal(),
      n: () => {
        const span = selectedSpan(ctx);
        if (span) openCreate(ctx, span, { focus: true });
        else if (createForm && !createForm.hidden) createForm.elements.restatement.focus();
      },
      j: () => step(ctx, 1),
      k: () => step(ctx, -1),
      e: () => toggleEdit(panel, true),
      s: () => panel?.querySelector('form[data-ajax="submit"]')?.requestSubmit(),
      v: () => panel?.querySelector(".verdict-form input[name=rating]")?.focus(),
      c: () => colourBy(desk.dataset.colour === "status" ? "side" : "status"),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
  document.querySelector("[data-open-shortcuts]").addEventListener("click", () => shortcuts.showModal());
}
