// Drawing the claims over the text as nested <mark>s, and reading selections back
// as spans of the text. The cutting into pieces is model.js's segment().

import { claimSpan } from "./offsets.js";
import { claimsByParagraph, isVisible, segment, sideOf } from "./model.js";

/** Read the paragraphs the server drew, with their offsets in code points and in units. */
export function readParagraphs(ctx) {
  return [...ctx.els.text.querySelectorAll(".para")].map((el) => {
    const start = Number(el.dataset.start);
    const end = Number(el.dataset.end);
    return { el, start, end, unitStart: ctx.conv.toUnits(start), unitEnd: ctx.conv.toUnits(end) };
  });
}

function makeMark(ctx, claim) {
  const mark = document.createElement("mark");
  mark.className = "hl";
  mark.dataset.claim = claim.id;
  mark.dataset.status = claim.status;
  mark.dataset.side = sideOf(claim, ctx.speakers);
  if (!isVisible(claim, ctx.filters, ctx.speakers)) mark.classList.add("is-filtered");
  if (claim.id === ctx.selectedId) mark.classList.add("is-selected");
  let pieces = ctx.marks.get(claim.id);
  if (!pieces) ctx.marks.set(claim.id, (pieces = []));
  pieces.push(mark);
  return mark;
}

/**
 * Redraw one paragraph with the claims over it: each piece of the text is wrapped in
 * one mark per claim covering it, outermost first, and a mark stays open across
 * pieces while its claim goes on covering them.
 */
function drawParagraph(ctx, para, over) {
  const { text, conv } = ctx;
  const fragment = document.createDocumentFragment();
  let open = []; // [{claim, el}], outermost first
  for (const piece of segment(para.start, para.end, over)) {
    let keep = 0;
    while (keep < open.length && keep < piece.stack.length && open[keep].claim === piece.stack[keep]) keep++;
    open.length = keep;
    for (let j = keep; j < piece.stack.length; j++) {
      const el = makeMark(ctx, piece.stack[j]);
      (j ? open[j - 1].el : fragment).append(el);
      open.push({ claim: piece.stack[j], el });
    }
    const words = text.slice(conv.toUnits(piece.start), conv.toUnits(piece.end));
    (open.length ? open[open.length - 1].el : fragment).append(words);
  }
  para.el.replaceChildren(fragment);
}

export function drawAll(ctx) {
  ctx.marks.clear();
  const over = claimsByParagraph(ctx.paragraphs, ctx.claims);
  ctx.paragraphs.forEach((para, i) => drawParagraph(ctx, para, over[i]));
}

/** Redraw the paragraphs that [start, end) (code points) touches. */
export function redrawSpan(ctx, start, end) {
  for (const para of ctx.paragraphs) {
    if (para.start < end && para.end > start) {
      drawParagraph(ctx, para, ctx.claims.filter((c) => c.start < para.end && c.end > para.start));
    }
  }
  for (const [id, pieces] of ctx.marks) {
    const alive = pieces.filter((m) => m.isConnected);
    if (alive.length) ctx.marks.set(id, alive);
    else ctx.marks.delete(id);
  }
  paintPending(ctx);
}

/** Set each mark's colours and filtering from its claim, without redrawing. */
export function restyle(ctx, claim) {
  for (const mark of ctx.marks.get(claim.id) || []) {
    mark.dataset.status = claim.status;
    mark.dataset.side = sideOf(claim, ctx.speakers);
  }
}

// The DOM point (node, offset) as a UTF-16 offset in the whole text. A point
// between paragraphs, or outside the text, goes to the nearest paragraph's edge.
function unitsAt(ctx, node, offset) {
  const { paragraphs } = ctx;
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const paraEl = element?.closest(".para");
  if (paraEl && ctx.els.text.contains(paraEl)) {
    const para = paragraphs.find((p) => p.el === paraEl);
    const range = document.createRange();
    range.setStart(paraEl, 0);
    range.setEnd(node, offset);
    return para.unitStart + range.toString().length;
  }
  for (const para of paragraphs) {
    const range = document.createRange();
    range.selectNodeContents(para.el);
    if (range.comparePoint(node, offset) < 0) return para.unitStart;
  }
  return paragraphs.length ? paragraphs[paragraphs.length - 1].unitEnd : 0;
}

/** A DOM Range over [start, end) UTF-16 units of the text, for painting and placing. */
export function rangeAt(ctx, start, end) {
  const { paragraphs } = ctx;
  const range = document.createRange();
  const locate = (units, edge) => {
    const para =
      paragraphs.find((p) => (edge === "start" ? units < p.unitEnd : units <= p.unitEnd)) ||
      paragraphs[paragraphs.length - 1];
    let left = Math.max(0, Math.min(units, para.unitEnd) - para.unitStart);
    const walker = document.createTreeWalker(para.el, NodeFilter.SHOW_TEXT);
    let node = null;
    while ((node = walker.nextNode())) {
      if (left < node.length || (edge === "end" && left === node.length)) return [node, left];
      left -= node.length;
    }
    return [para.el, para.el.childNodes.length];
  };
  range.setStart(...locate(start, "start"));
  range.setEnd(...locate(end, "end"));
  return range;
}

/** The current selection in the text as a claim's span (UTF-16 units), snapped and trimmed; or null. */
export function selectedSpan(ctx) {
  const selection = document.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(ctx.els.text)) return null;
  const start = unitsAt(ctx, range.startContainer, range.startOffset);
  const end = unitsAt(ctx, range.endContainer, range.endOffset);
  return claimSpan(ctx.text, start, end);
}

/**
 * Paint the span being made into a claim (and a cue being picked) without touching
 * the DOM, so the reader's selection survives while it is adjusted.
 */
export function paintPending(ctx) {
  if (!window.CSS?.highlights) return;
  const form = ctx.els.createForm;
  for (const [name, span] of [["pending", ctx.pending], ["pending-cue", ctx.cueSpan]]) {
    if (span && form && !form.hidden) CSS.highlights.set(name, new Highlight(rangeAt(ctx, span.start, span.end)));
    else CSS.highlights.delete(name);
  }
}
