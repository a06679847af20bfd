// Making a claim: the form that opens beside a selection, and the cue picked in the text.

import { rangeAt, paintPending, selectedSpan } from "./highlights.js";
import { clip } from "./model.js";
import { spanFields } from "./offsets.js";
import { select } from "./panel.js";

export function openCreate(ctx, span, { focus }) {
  const form = ctx.els.createForm;
  if (!form) return;
  ctx.pending = span;
  const fields = spanFields(ctx.text, ctx.conv, span);
  for (const [name, value] of Object.entries(fields)) form.elements[name].value = value;
  document.getElementById("claim-form-quote").textContent = clip(fields.quote, 280);
  const wasHidden = form.hidden;
  form.hidden = false;
  for (const slot of form.querySelectorAll('[data-error-for~="quote"]')) slot.hidden = true;
  placePopover(ctx, span);
  paintPending(ctx);
  if (wasHidden) form.scrollIntoView({ block: "nearest" });
  if (focus) form.elements.restatement.focus({ preventScroll: true });
}

function placePopover(ctx, span) {
  const form = ctx.els.createForm;
  const rects = rangeAt(ctx, span.start, span.end).getClientRects();
  const last = rects[rects.length - 1];
  if (!last) return;
  const host = ctx.els.reader.getBoundingClientRect();
  const width = form.offsetWidth;
  const left = Math.min(Math.max(12, last.left - host.left - 24), host.width - width - 12);
  form.style.left = `${Math.max(0, left)}px`;
  form.style.top = `${last.bottom - host.top + 10}px`;
}

export function closeCreate(ctx, { backToText = false } = {}) {
  const form = ctx.els.createForm;
  if (!form || form.hidden) return false;
  form.hidden = true; // what was typed stays, for the next selection
  stopCuePick(ctx);
  paintPending(ctx);
  if (backToText && ctx.pending) {
    // Give the keyboard its selection back, to adjust it with Shift + arrows.
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(rangeAt(ctx, ctx.pending.start, ctx.pending.end));
    ctx.els.text.focus({ preventScroll: true });
  }
  return true;
}

/** The claim was made: empty the form for the next one and open the claim. */
export function created(ctx, claim) {
  const form = ctx.els.createForm;
  form.reset();
  for (const name of ["speaker", "cue_start", "cue_end"]) form.elements[name].value = "";
  form.querySelector("[data-typeahead]").reset();
  ctx.pending = null;
  ctx.cueSpan = null;
  closeCreate(ctx);
  document.getSelection().removeAllRanges();
  select(ctx, claim.id, { scrollText: false, focusItem: true });
}

export function startCuePick(ctx, form) {
  stopCuePick(ctx);
  ctx.cueTarget = form;
  form.classList.add("is-picking");
  form.querySelector(".pick-hint").hidden = false;
}

export function stopCuePick(ctx) {
  const form = ctx.cueTarget;
  if (!form) return false;
  form.classList.remove("is-picking");
  form.querySelector(".pick-hint").hidden = true;
  ctx.cueTarget = null;
  return true;
}

function setCue(ctx, form, span) {
  const fields = spanFields(ctx.text, ctx.conv, span);
  form.elements.cue.value = fields.quote;
  form.elements.cue_start.value = fields.start;
  form.elements.cue_end.value = fields.end;
  if (form === ctx.els.createForm) ctx.cueSpan = span;
  stopCuePick(ctx);
  document.getSelection().removeAllRanges();
  paintPending(ctx);
  form.elements.cue.focus({ preventScroll: true });
}

/** Typing a cue by hand unties it from any span picked in the text. */
export function cueTyped(ctx, form) {
  form.elements.cue_start.value = "";
  form.elements.cue_end.value = "";
  if (form === ctx.els.createForm) {
    ctx.cueSpan = null;
    paintPending(ctx);
  }
}

/** A finished selection: the cue being picked, or a new claim. */
export function selectionDone(ctx, { focus }) {
  const span = selectedSpan(ctx);
  if (!span) return;
  if (ctx.cueTarget) setCue(ctx, ctx.cueTarget, span);
  else openCreate(ctx, span, { focus });
}

/** Listen for selections made with the mouse (which may end outside the text) and with Shift. */
export function listenForSelections(ctx) {
  let dragging = false;
  ctx.els.text.addEventListener("mousedown", (event) => (dragging = event.button === 0));
  document.addEventListener("mouseup", () => {
    if (!dragging) return;
    dragging = false;
    setTimeout(() => selectionDone(ctx, { focus: true })); // once the browser has settled the selection
  });
  ctx.els.text.addEventListener("keyup", (event) => {
    if (event.key === "Shift") selectionDone(ctx, { focus: false });
  });
}
