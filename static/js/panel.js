// The panel beside the text: the list of claims in text order, the filters, and the
// selected claim, whose details the server renders (an HTML fragment, loaded here).

import { TIMEOUT_MS } from "./api.js";
import { redrawSpan, restyle } from "./highlights.js";
import { clip, isVisible, plural, sideOf, speakerChoices, tally, upsertClaim } from "./model.js";
import { setupTypeahead } from "./typeahead.js";

export function element(tag, className, textContent) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (textContent !== undefined) el.textContent = textContent;
  return el;
}

const visible = (ctx, claim) => isVisible(claim, ctx.filters, ctx.speakers);

function fillItem(ctx, li, claim) {
  const { labels } = ctx;
  const head = li.querySelector(".claim-head");
  const speaker = claim.speaker ? ctx.speakers.get(claim.speaker) : null;
  const side = sideOf(claim, ctx.speakers);
  const quote = element("span", "claim-quote", `“${clip(claim.quote.replace(/\s+/g, " "), 180)}”`);
  const who = element("span", "claim-who");
  who.append(element("span", "side-dot"), speaker?.name ?? claim.speaker_name ?? "Article's own voice");
  who.firstChild.dataset.side = side;
  if (claim.speaker) who.append(element("span", "claim-side", labels.side[side] || side));
  const tags = element("span", "claim-tags");
  const status = element("span", `badge status-${claim.status}`, labels.status[claim.status]);
  tags.append(status, element("span", "claim-kind", labels.kind[claim.kind]));
  tags.append(element("span", "claim-verdicts", plural(claim.verdict_count ?? 0, "verdict")));
  if (claim.created_by === ctx.data.user) tags.append(element("span", "claim-mine", "yours"));
  head.replaceChildren(quote, who, tags);
  li.hidden = !visible(ctx, claim);
}

function makeItem(ctx, claim) {
  const li = element("li", "claim-item");
  li.dataset.claim = claim.id;
  li.id = `claim-${claim.id}`;
  const head = element("button", "claim-head");
  head.type = "button";
  head.setAttribute("aria-expanded", "false");
  head.setAttribute("aria-controls", `claim-${claim.id}-detail`);
  const detail = element("div", "claim-detail");
  detail.id = `claim-${claim.id}-detail`;
  detail.hidden = true;
  li.append(head, detail);
  fillItem(ctx, li, claim);
  ctx.items.set(claim.id, li);
  return li;
}

export function listAll(ctx) {
  ctx.items.clear();
  const fragment = document.createDocumentFragment();
  for (const claim of ctx.claims) fragment.append(makeItem(ctx, claim));
  ctx.els.list.replaceChildren(fragment);
}

function placeItem(ctx, claim) {
  const li = ctx.items.get(claim.id) || makeItem(ctx, claim);
  const after = ctx.claims[ctx.claims.indexOf(claim) + 1];
  ctx.els.list.insertBefore(li, after ? ctx.items.get(after.id) : null);
}

export function refreshTotals(ctx) {
  const { claims } = ctx;
  document.getElementById("claim-count").textContent = claims.length;
  document.getElementById("claims-empty").hidden = claims.length > 0;
  const { byStatus, bySide } = tally(claims, ctx.speakers);
  for (const el of document.querySelectorAll("[data-count-status]")) el.textContent = byStatus[el.dataset.countStatus] || 0;
  for (const el of document.querySelectorAll("[data-count-side]")) el.textContent = bySide[el.dataset.countSide] || 0;
  // The speaker filter offers the speakers the article's claims have.
  const select = document.getElementById("filter-speaker");
  const choices = speakerChoices(claims, ctx.speakers);
  const keep = select.value;
  select.replaceChildren(new Option("All speakers", ""), ...choices.map(([id, name]) => new Option(name, id)));
  select.value = choices.some(([id]) => id === keep) ? keep : "";
  ctx.filters.speaker = select.value;
}

export function applyFilters(ctx) {
  let shown = 0;
  for (const claim of ctx.claims) {
    const show = visible(ctx, claim);
    shown += show;
    for (const mark of ctx.marks.get(claim.id) || []) mark.classList.toggle("is-filtered", !show);
    const li = ctx.items.get(claim.id);
    if (li) li.hidden = !show;
  }
  const summary = document.getElementById("filter-summary");
  summary.hidden = !Object.values(ctx.filters).some(Boolean);
  summary.firstElementChild.textContent = `Showing ${shown} of ${plural(ctx.claims.length, "claim")}.`;
}

/** A filter changed: apply them all, and close the selected claim if it is filtered out. */
export function filterBy(ctx, name, value) {
  ctx.filters[name] = value;
  applyFilters(ctx);
  const selected = ctx.claims.find((c) => c.id === ctx.selectedId);
  if (selected && !visible(ctx, selected)) select(ctx, null);
}

// Selecting a claim ----------------------------------------------------------------

function setSelected(ctx, id, on) {
  for (const mark of ctx.marks.get(id) || []) mark.classList.toggle("is-selected", on);
  const li = ctx.items.get(id);
  if (!li) return;
  li.classList.toggle("is-selected", on);
  li.querySelector(".claim-head").setAttribute("aria-expanded", String(on));
  const detail = li.querySelector(".claim-detail");
  detail.hidden = !on;
  if (!on) detail.replaceChildren();
}

const inView = (rect) => rect.top >= 0 && rect.bottom <= window.innerHeight;

/**
 * Show the item's head. Beside the text, scroll the list, and only the list, to put
 * it at its top: moving the page would pull the text away from under the reader's
 * pointer. Below the text (a narrow screen), the list is the page: scroll the page.
 */
function revealItem(ctx, li) {
  const head = li.querySelector(".claim-head");
  const list = ctx.els.list.getBoundingClientRect();
  const bottom = Math.min(list.bottom, window.innerHeight);
  const box = head.getBoundingClientRect();
  if (box.top < list.top || box.bottom > bottom) ctx.els.list.scrollTop += box.top - list.top;
  const below = list.top >= ctx.els.reader.getBoundingClientRect().bottom;
  if (below && !inView(head.getBoundingClientRect())) head.scrollIntoView({ block: "start" });
}

export function select(ctx, id, { scrollText = true, focusItem = false } = {}) {
  if (ctx.selectedId !== null && ctx.selectedId !== id) setSelected(ctx, ctx.selectedId, false);
  ctx.selectedId = id;
  if (id === null) {
    history.replaceState(null, "", location.pathname + location.search);
    return;
  }
  setSelected(ctx, id, true);
  const li = ctx.items.get(id);
  const first = (ctx.marks.get(id) || [])[0];
  if (scrollText && first && !inView(first.getBoundingClientRect())) first.scrollIntoView({ block: "center" });
  revealItem(ctx, li);
  if (focusItem) li.querySelector(".claim-head").focus({ preventScroll: true });
  history.replaceState(null, "", `#claim-${id}`);
  loadPanel(ctx, id);
}

/** Select the claim the address names (#claim-N), if the page has it. */
export function selectFromHash(ctx) {
  const linked = /^#claim-(\d+)$/.exec(location.hash);
  const id = linked ? Number(linked[1]) : null;
  if (id !== null && id !== ctx.selectedId && ctx.items.has(id)) select(ctx, id);
}

export function deselect(ctx) {
  if (ctx.selectedId === null) return false;
  const head = ctx.items.get(ctx.selectedId)?.querySelector(".claim-head");
  select(ctx, null);
  head?.focus();
  return true;
}

export function step(ctx, direction) {
  const shown = ctx.claims.filter((c) => visible(ctx, c));
  if (!shown.length) return;
  const at = shown.findIndex((c) => c.id === ctx.selectedId);
  const index = at < 0 ? (direction > 0 ? 0 : shown.length - 1) : (at + direction + shown.length) % shown.length;
  select(ctx, shown[index].id, { focusItem: true });
}

const panelUrl = (ctx, id) => ctx.data.urls.panel.replace(/\/0\/$/, `/${id}/`);

export async function loadPanel(ctx, id, { then } = {}) {
  const detail = ctx.items.get(id).querySelector(".claim-detail");
  if (!detail.firstChild) detail.replaceChildren(element("p", "loading", "Loading…"));
  let response;
  try {
    response = await fetch(panelUrl(ctx, id), { headers: { Accept: "text/html" }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    return panelFailed(ctx, id, "Could not reach the server to load this claim: check your connection.");
  }
  if (ctx.selectedId !== id) return;
  const body = await response.text().catch(() => "");
  if (ctx.selectedId !== id) return; // another claim was selected meanwhile
  if (!response.ok) {
    const plain = (response.headers.get("Content-Type") || "").startsWith("text/plain");
    return panelFailed(ctx, id, plain && body ? body : `The server could not load this claim (error ${response.status}).`);
  }
  detail.innerHTML = body; // rendered by Django, which escaped it
  detail.querySelectorAll("[data-typeahead]").forEach((box) => setupTypeahead(ctx, box));
  then?.(detail);
}

function panelFailed(ctx, id, message) {
  if (ctx.selectedId !== id) return;
  const detail = ctx.items.get(id).querySelector(".claim-detail");
  const box = element("div", "form-errors", message + " ");
  const retry = element("button", "link-button", "Try again");
  retry.type = "button";
  retry.addEventListener("click", () => loadPanel(ctx, id));
  box.append(retry);
  detail.replaceChildren(box);
}

export function selectedPanel(ctx) {
  return ctx.selectedId === null ? null : ctx.items.get(ctx.selectedId)?.querySelector(".claim-panel");
}

export function toggleEdit(panel, open) {
  const form = panel?.querySelector(".edit-form");
  if (!form) return false;
  const show = open ?? form.hidden;
  form.hidden = !show;
  panel.querySelector(".facts").hidden = show;
  const button = panel.querySelector("[data-edit]");
  button.setAttribute("aria-expanded", String(show));
  if (show) form.elements.restatement.focus();
  else button.focus();
  return true;
}

export function closeEdit(ctx) {
  const panel = selectedPanel(ctx);
  return Boolean(panel?.querySelector(".edit-form:not([hidden])")) && toggleEdit(panel, false);
}

// Keeping the page's copy of the claims in step with the server ----------------

/** Take a claim as the API returned it: redraw, relist and recount what it changed. */
export function upsert(ctx, fresh, options) {
  const { old, claim } = upsertClaim(ctx.claims, fresh, options);
  if (!old || old.start !== claim.start || old.end !== claim.end) {
    redrawSpan(ctx, Math.min(claim.start, old?.start ?? claim.start), Math.max(claim.end, old?.end ?? claim.end));
  } else {
    restyle(ctx, claim);
  }
  placeItem(ctx, claim);
  fillItem(ctx, ctx.items.get(claim.id), claim);
  refreshTotals(ctx);
  applyFilters(ctx);
  return claim;
}

export function remove(ctx, id) {
  const index = ctx.claims.findIndex((c) => c.id === id);
  if (index < 0) return;
  const [gone] = ctx.claims.splice(index, 1);
  if (ctx.selectedId === id) select(ctx, null);
  ctx.items.get(id)?.remove();
  ctx.items.delete(id);
  redrawSpan(ctx, gone.start, gone.end);
  refreshTotals(ctx);
  applyFilters(ctx);
}
