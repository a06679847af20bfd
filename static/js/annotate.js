// The article page: draws the claims over the text, lists them beside it, turns a
// selection into a claim, and posts the panel's forms. No framework, no build step.
//
// The server counts offsets in Unicode code points (Python string indices); the
// browser counts UTF-16 code units. Only offsetConverter() translates between them.

const CONTEXT = 32; // code points of prefix and suffix kept with a quote, as on the server
const FETCH_TIMEOUT_MS = 20000;

// Offsets ----------------------------------------------------------------------

/**
 * Return converters between UTF-16 offsets (what JavaScript strings, the DOM and
 * Range count) and code point offsets (what the server stores) in `text`.
 *
 * A character outside the Basic Multilingual Plane, such as 😀 or each of the two
 * regional letters of the flag 🇸🇾, is one code point but two UTF-16 units (a
 * surrogate pair); everything else is one of each. The text is walked once and
 * both directions are read from tables. A unit offset that falls between the two
 * halves of a pair maps to that pair's code point: callers snap selections to
 * whole characters (snapToCharacters) before converting, so it never matters.
 */
export function offsetConverter(text) {
  const unitToCodePoint = new Uint32Array(text.length + 1);
  const codePointToUnit = new Uint32Array(text.length + 1);
  let codePoint = 0;
  for (let unit = 0; unit < text.length; unit++, codePoint++) {
    unitToCodePoint[unit] = codePoint;
    codePointToUnit[codePoint] = unit;
    const high = text.charCodeAt(unit);
    const low = text.charCodeAt(unit + 1);
    if (high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
      unit++; // the pair's second half belongs to the same code point
      unitToCodePoint[unit] = codePoint;
    }
  }
  unitToCodePoint[text.length] = codePoint;
  codePointToUnit[codePoint] = text.length;
  return {
    length: codePoint,
    toCodePoints: (unit) => unitToCodePoint[unit],
    toUnits: (cp) => codePointToUnit[cp],
  };
}

const graphemes = "Segmenter" in Intl ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

/**
 * Widen [start, end) (UTF-16 units) to whole user-perceived characters: an emoji
 * with its modifiers, a flag, a family joined by zero-width joiners, a letter with
 * its combining accents. A selection never cuts one in half.
 */
export function snapToCharacters(text, start, end) {
  if (graphemes) {
    const segments = graphemes.segment(text);
    if (start > 0 && start < text.length) start = segments.containing(start).index;
    if (end > 0 && end < text.length) {
      const segment = segments.containing(end);
      if (segment.index !== end) end = segment.index + segment.segment.length;
    }
    return [start, end];
  }
  const isLow = (i) => /[\udc00-\udfff]/.test(text[i] || "");
  if (isLow(start)) start -= 1;
  if (isLow(end)) end += 1;
  return [start, end];
}

// The page ---------------------------------------------------------------------

const desk = document.getElementById("desk");
if (desk) start();

function start() {
  performance.mark("desk:start");
  const data = JSON.parse(document.getElementById("desk-data").textContent);
  const text = data.text;
  const conv = offsetConverter(text);
  const labels = data.labels;
  const textEl = document.getElementById("article-text");
  const reader = textEl.closest(".reader");
  const listEl = document.getElementById("claim-list");
  const createForm = document.getElementById("claim-form");
  const shortcuts = document.getElementById("shortcuts");
  const speakers = new Map(data.speakers.map((s) => [s.id, s]));
  const claims = data.claims; // sorted by start, then longest first, then id
  const marks = new Map(); // claim id -> its <mark> pieces
  const items = new Map(); // claim id -> its <li> in the panel
  const filters = { speaker: "", side: "", kind: "", status: "" };
  let selectedId = null;
  let pending = null; // the span the creation form is for, in units: {start, end}
  let cueTarget = null; // the form whose cue the next selection sets

  const paragraphs = [...textEl.querySelectorAll(".para")].map((el) => {
    const start = Number(el.dataset.start);
    const end = Number(el.dataset.end);
    return { el, start, end, unitStart: conv.toUnits(start), unitEnd: conv.toUnits(end) };
  });

  // Drawing -----------------------------------------------------------------------

  const sideOf = (claim) => (claim.speaker ? speakers.get(claim.speaker)?.side || "unknown" : "author");
  const byTextOrder = (a, b) => a.start - b.start || b.end - a.end || a.id - b.id;
  const visible = (claim) =>
    (!filters.speaker || String(claim.speaker ?? "none") === filters.speaker) &&
    (!filters.side || sideOf(claim) === filters.side) &&
    (!filters.kind || claim.kind === filters.kind) &&
    (!filters.status || claim.status === filters.status);

  function makeMark(claim) {
    const mark = document.createElement("mark");
    mark.className = "hl";
    mark.dataset.claim = claim.id;
    mark.dataset.status = claim.status;
    mark.dataset.side = sideOf(claim);
    if (!visible(claim)) mark.classList.add("is-filtered");
    if (claim.id === selectedId) mark.classList.add("is-selected");
    let pieces = marks.get(claim.id);
    if (!pieces) marks.set(claim.id, (pieces = []));
    pieces.push(mark);
    return mark;
  }

  /**
   * Redraw one paragraph with the claims over it, as nested <mark>s: the text is
   * cut at every claim's start and end, and each piece is wrapped in one mark per
   * claim covering it, outermost (earliest, longest) first. A claim that overlaps
   * another without containing it is drawn as several pieces.
   */
  function drawParagraph(para, over) {
    const cuts = new Set([para.start, para.end]);
    for (const c of over) {
      cuts.add(Math.max(c.start, para.start));
      cuts.add(Math.min(c.end, para.end));
    }
    const points = [...cuts].sort((a, b) => a - b);
    const paraText = text.slice(para.unitStart, para.unitEnd);
    const fragment = document.createDocumentFragment();
    let active = [];
    let open = []; // [{claim, el}], outermost first
    let next = 0;
    for (let i = 0; i < points.length - 1; i++) {
      const at = points[i];
      active = active.filter((c) => c.end > at);
      while (next < over.length && Math.max(over[next].start, para.start) <= at) active.push(over[next++]);
      let keep = 0;
      while (keep < open.length && keep < active.length && open[keep].claim === active[keep]) keep++;
      open.length = keep;
      for (let j = keep; j < active.length; j++) {
        const el = makeMark(active[j]);
        (j ? open[j - 1].el : fragment).append(el);
        open.push({ claim: active[j], el });
      }
      const piece = paraText.slice(conv.toUnits(at) - para.unitStart, conv.toUnits(points[i + 1]) - para.unitStart);
      (open.length ? open[open.length - 1].el : fragment).append(piece);
    }
    para.el.replaceChildren(fragment);
  }

  function claimsOver(para) {
    return claims.filter((c) => c.start < para.end && c.end > para.start);
  }

  function drawAll() {
    marks.clear();
    const over = paragraphs.map(() => []);
    let first = 0;
    for (const claim of claims) {
      // claims come in text order, so the first paragraph to look at only moves on
      while (first < paragraphs.length && paragraphs[first].end <= claim.start) first++;
      for (let p = first; p < paragraphs.length && paragraphs[p].start < claim.end; p++) over[p].push(claim);
    }
    paragraphs.forEach((para, i) => drawParagraph(para, over[i]));
  }

  function redrawSpan(start, end) {
    for (const para of paragraphs) {
      if (para.start < end && para.end > start) drawParagraph(para, claimsOver(para));
    }
    for (const [id, pieces] of marks) {
      const alive = pieces.filter((m) => m.isConnected);
      if (alive.length) marks.set(id, alive);
      else marks.delete(id);
    }
    paintPending();
  }

  // The DOM point (node, offset) as a UTF-16 offset in the whole text. A point
  // between paragraphs, or outside the text, goes to the nearest paragraph's edge.
  function unitsAt(node, offset) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const paraEl = element?.closest(".para");
    if (paraEl && textEl.contains(paraEl)) {
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

  // A DOM Range over [start, end) UTF-16 units of the text, for painting and placing.
  function rangeAt(start, end) {
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

  // The current selection in the text as a claim's span, snapped and trimmed; or null.
  function selectedSpan() {
    const selection = document.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(textEl)) return null;
    let start = unitsAt(range.startContainer, range.startOffset);
    let end = unitsAt(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    [start, end] = snapToCharacters(text, start, end);
    return end > start ? { start, end } : null;
  }

  // What the server is sent for a span: code point offsets, the quote and its context.
  function spanFields({ start, end }) {
    const from = conv.toCodePoints(start);
    const to = conv.toCodePoints(end);
    return {
      start: from,
      end: to,
      quote: text.slice(start, end),
      prefix: text.slice(conv.toUnits(Math.max(0, from - CONTEXT)), start),
      suffix: text.slice(end, conv.toUnits(Math.min(conv.length, to + CONTEXT))),
    };
  }

  // The span being made into a claim (and a cue being picked), painted without
  // touching the DOM, so the reader's selection survives while it is adjusted.
  const cuePaint = { span: null };
  function paintPending() {
    if (!window.CSS?.highlights) return;
    for (const [name, span] of [["pending", pending], ["pending-cue", cuePaint.span]]) {
      if (span && !createForm?.hidden) CSS.highlights.set(name, new Highlight(rangeAt(span.start, span.end)));
      else CSS.highlights.delete(name);
    }
  }

  // The panel's list ----------------------------------------------------------------

  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1).trimEnd() + "…" : s);
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  function element(tag, className, textContent) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (textContent !== undefined) el.textContent = textContent;
    return el;
  }

  function fillItem(li, claim) {
    const head = li.querySelector(".claim-head");
    const speaker = claim.speaker ? speakers.get(claim.speaker) : null;
    const side = sideOf(claim);
    const quote = element("span", "claim-quote", `“${clip(claim.quote.replace(/\s+/g, " "), 180)}”`);
    const who = element("span", "claim-who");
    who.append(element("span", "side-dot"), speaker ? speaker.name : "Article's own voice");
    who.firstChild.dataset.side = side;
    if (speaker) who.append(element("span", "claim-side", labels.side[side] || side));
    const tags = element("span", "claim-tags");
    const status = element("span", `badge status-${claim.status}`, labels.status[claim.status]);
    tags.append(status, element("span", "claim-kind", labels.kind[claim.kind]));
    tags.append(element("span", "claim-verdicts", plural(claim.verdicts, "verdict")));
    if (claim.author === data.user) tags.append(element("span", "claim-mine", "yours"));
    head.replaceChildren(quote, who, tags);
    li.hidden = !visible(claim);
  }

  function makeItem(claim) {
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
    fillItem(li, claim);
    items.set(claim.id, li);
    return li;
  }

  function listAll() {
    items.clear();
    const fragment = document.createDocumentFragment();
    for (const claim of claims) fragment.append(makeItem(claim));
    listEl.replaceChildren(fragment);
  }

  function placeItem(claim) {
    const li = items.get(claim.id) || makeItem(claim);
    const after = claims[claims.indexOf(claim) + 1];
    listEl.insertBefore(li, after ? items.get(after.id) : null);
  }

  function refreshTotals() {
    document.getElementById("claim-count").textContent = claims.length;
    document.getElementById("claims-empty").hidden = claims.length > 0;
    const byStatus = {};
    const bySide = {};
    for (const c of claims) {
      byStatus[c.status] = (byStatus[c.status] || 0) + 1;
      bySide[sideOf(c)] = (bySide[sideOf(c)] || 0) + 1;
    }
    for (const el of document.querySelectorAll("[data-count-status]")) el.textContent = byStatus[el.dataset.countStatus] || 0;
    for (const el of document.querySelectorAll("[data-count-side]")) el.textContent = bySide[el.dataset.countSide] || 0;
    // The speaker filter offers the speakers the article's claims have.
    const select = document.getElementById("filter-speaker");
    const used = new Map();
    for (const c of claims) used.set(String(c.speaker ?? "none"), c.speaker ? speakers.get(c.speaker)?.name : null);
    const options = [...used].filter(([id]) => id !== "none").sort((a, b) => a[1].localeCompare(b[1]));
    if (used.has("none")) options.push(["none", "Article's own voice"]);
    const keep = select.value;
    select.replaceChildren(new Option("All speakers", ""), ...options.map(([id, name]) => new Option(name, id)));
    select.value = used.has(keep) ? keep : "";
    filters.speaker = select.value;
  }

  function applyFilters() {
    let shown = 0;
    for (const claim of claims) {
      const show = visible(claim);
      shown += show;
      for (const mark of marks.get(claim.id) || []) mark.classList.toggle("is-filtered", !show);
      const li = items.get(claim.id);
      if (li) li.hidden = !show;
    }
    const summary = document.getElementById("filter-summary");
    const filtering = Object.values(filters).some(Boolean);
    summary.hidden = !filtering;
    summary.firstElementChild.textContent = `Showing ${shown} of ${plural(claims.length, "claim")}.`;
  }

  // Selecting a claim ----------------------------------------------------------------

  const panelUrl = (id) => data.urls.panel.replace(/\/0\/$/, `/${id}/`);

  function setSelected(id, on) {
    for (const mark of marks.get(id) || []) mark.classList.toggle("is-selected", on);
    const li = items.get(id);
    if (!li) return;
    li.classList.toggle("is-selected", on);
    li.querySelector(".claim-head").setAttribute("aria-expanded", String(on));
    const detail = li.querySelector(".claim-detail");
    detail.hidden = !on;
    if (!on) detail.replaceChildren();
  }

  // Scroll the list, and only the list, to show the item's head at its top: moving
  // the page would pull the text away from under the reader's pointer.
  function revealItem(li) {
    const head = li.querySelector(".claim-head").getBoundingClientRect();
    const list = listEl.getBoundingClientRect();
    const bottom = Math.min(list.bottom, window.innerHeight);
    if (head.top < list.top || head.bottom > bottom) listEl.scrollTop += head.top - list.top;
  }

  function isInView(el) {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }

  function select(id, { scrollText = true, focusItem = false } = {}) {
    if (selectedId !== null && selectedId !== id) setSelected(selectedId, false);
    selectedId = id;
    if (id === null) {
      history.replaceState(null, "", location.pathname + location.search);
      return;
    }
    setSelected(id, true);
    const li = items.get(id);
    const first = (marks.get(id) || [])[0];
    if (scrollText && first && !isInView(first)) first.scrollIntoView({ block: "center" });
    revealItem(li);
    if (focusItem) li.querySelector(".claim-head").focus({ preventScroll: true });
    history.replaceState(null, "", `#claim-${id}`);
    loadPanel(id);
  }

  async function loadPanel(id, { then } = {}) {
    const li = items.get(id);
    const detail = li.querySelector(".claim-detail");
    if (!detail.firstChild) detail.replaceChildren(element("p", "loading", "Loading…"));
    let response;
    try {
      response = await fetch(panelUrl(id), { headers: { Accept: "text/html" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch {
      return panelFailed(id, "Could not reach the server to load this claim: check your connection.");
    }
    if (selectedId !== id) return;
    if (!response.ok) {
      const json = await response.json().catch(() => null);
      return panelFailed(id, json?.error || `The server could not load this claim (error ${response.status}).`);
    }
    const html = await response.text();
    if (selectedId !== id) return; // another claim was selected meanwhile
    detail.innerHTML = html; // rendered by Django, which escaped it
    detail.querySelectorAll("[data-typeahead]").forEach(setupTypeahead);
    then?.(detail);
  }

  function panelFailed(id, message) {
    if (selectedId !== id) return;
    const detail = items.get(id).querySelector(".claim-detail");
    const box = element("div", "form-errors", message + " ");
    const retry = element("button", "link-button", "Try again");
    retry.type = "button";
    retry.addEventListener("click", () => loadPanel(id));
    box.append(retry);
    detail.replaceChildren(box);
  }

  function step(direction) {
    const shown = claims.filter(visible);
    if (!shown.length) return;
    const at = shown.findIndex((c) => c.id === selectedId);
    const index = at < 0 ? (direction > 0 ? 0 : shown.length - 1) : (at + direction + shown.length) % shown.length;
    select(shown[index].id, { focusItem: true });
  }

  // Keeping the page's copy of the claims in step with the server ----------------

  function upsert(result) {
    if (result.speaker) speakers.set(result.speaker.id, result.speaker);
    const fresh = result.claim;
    const index = claims.findIndex((c) => c.id === fresh.id);
    const old = claims[index];
    if (old) claims[index] = fresh;
    else claims.push(fresh);
    claims.sort(byTextOrder);
    if (!old || old.start !== fresh.start || old.end !== fresh.end) {
      redrawSpan(Math.min(fresh.start, old?.start ?? fresh.start), Math.max(fresh.end, old?.end ?? fresh.end));
    } else {
      for (const mark of marks.get(fresh.id) || []) {
        mark.dataset.status = fresh.status;
        mark.dataset.side = sideOf(fresh);
      }
    }
    placeItem(fresh);
    fillItem(items.get(fresh.id), fresh);
    refreshTotals();
    applyFilters();
    return fresh;
  }

  function remove(id) {
    const index = claims.findIndex((c) => c.id === id);
    if (index < 0) return;
    const [gone] = claims.splice(index, 1);
    if (selectedId === id) select(null);
    items.get(id)?.remove();
    items.delete(id);
    redrawSpan(gone.start, gone.end);
    refreshTotals();
    applyFilters();
  }

  // Posting forms ------------------------------------------------------------------

  function clearErrors(form) {
    for (const el of form.querySelectorAll(".field-error, .form-errors")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  function formError(form, message) {
    const box = form.querySelector(".form-errors");
    box.textContent = message;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  // Each message goes next to its field; what names no field of the form goes on top.
  function showErrors(form, errors) {
    const general = [];
    let first = null;
    for (const [field, messages] of Object.entries(errors)) {
      const slot = form.querySelector(`[data-error-for~="${CSS.escape(field)}"]`);
      if (!slot) {
        general.push(...messages);
        continue;
      }
      slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(" ");
      slot.hidden = false;
      const input = form.querySelector(`[name="${CSS.escape(field)}"]:not([type=hidden])`) ||
        slot.closest(".field")?.querySelector("input:not([type=hidden]), select, textarea");
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first ||= input;
      }
      first ||= slot;
    }
    if (general.length) formError(form, general.join(" "));
    else first?.scrollIntoView({ block: "nearest" });
    if (first?.focus && first.matches("input, select, textarea")) first.focus({ preventScroll: true });
  }

  /**
   * Post the form; return the JSON of a success, or null after saying what went wrong.
   *
   * The form's data goes URL-encoded: as multipart/form-data, browsers rewrite every
   * line break in a value as CR LF, and a quote across paragraphs would then no
   * longer be the text's own characters.
   */
  async function post(form, { url = form.action, body = null, submitter = null } = {}) {
    // Read the form before its buttons are disabled: a disabled submitter is not sent.
    const payload = new URLSearchParams(body || new FormData(form, submitter));
    const buttons = [...form.querySelectorAll("button[type=submit]")];
    buttons.forEach((b) => (b.disabled = true));
    form.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: payload,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch {
      formError(form, "Could not reach the server, so nothing was saved. Check your connection and try again: what you entered is still here.");
      return null;
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      form.removeAttribute("aria-busy");
    }
    const json = await response.json().catch(() => null);
    if (response.ok && json) return json;
    if (response.status === 400 && json?.errors) {
      showErrors(form, json.errors);
    } else if (response.status === 409 && json) {
      const version = form.querySelector('[name="version"]');
      if (version) version.value = json.current_version;
      formError(form, `${json.error} Your changes are still in the form: check the claim, then save again to apply them to the new version.`);
    } else if (json?.error) {
      formError(form, json.error);
    } else if (response.status === 403) {
      formError(form, "The server refused this (403): your session or its security token may have expired. Copy what you typed, then reload the page.");
    } else {
      formError(form, `The server could not save this (error ${response.status}). What you entered is still here; try again in a moment.`);
    }
    return null;
  }

  // A form with a new speaker in its type-ahead creates the speaker first.
  async function speakerReady(form) {
    const box = form.querySelector("[data-typeahead]");
    if (!box) return true;
    const hidden = box.querySelector('input[name="speaker"]');
    const input = box.querySelector(".typeahead-input");
    if (box.dataset.mode === "new") {
      const body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      for (const field of box.querySelectorAll(".new-speaker [name]")) body.append(field.name, field.value);
      const result = await post(form, { url: data.urls.speakerCreate, body });
      if (!result) return false;
      box.pick(result.speaker);
      return true;
    }
    if (!hidden.value && input.value.trim()) {
      if (box.pickExact()) return true;
      showErrors(form, { speaker: [`Pick “${input.value.trim()}” from the list, or choose “Create” to add a new speaker.`] });
      return false;
    }
    return true;
  }

  async function submitForm(form, submitter) {
    clearErrors(form);
    if (form.dataset.confirm && form.dataset.armed !== "yes") {
      form.dataset.armed = "yes";
      const button = form.querySelector("button[type=submit]");
      const label = button.textContent;
      button.textContent = form.dataset.confirm;
      button.classList.add("danger");
      setTimeout(() => {
        form.dataset.armed = "";
        button.textContent = label;
        button.classList.remove("danger");
      }, 4000);
      return;
    }
    if (!(await speakerReady(form))) return;
    const kind = form.dataset.ajax;
    const result = await post(form, { submitter });
    if (!result) return;
    if (kind === "create") return created(result);
    if (kind === "delete") return remove(result.deleted);
    upsert(result);
    if (selectedId === result.claim.id) {
      // Keep the keyboard where the reader was working.
      const near = { source: "details.add-source summary", verdict: ".verdict-form button[type=submit]" }[kind];
      const head = items.get(result.claim.id).querySelector(".claim-head");
      loadPanel(result.claim.id, { then: (detail) => ((near && detail.querySelector(near)) || head).focus() });
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.dataset.ajax || !desk.contains(form)) return;
    event.preventDefault();
    submitForm(form, event.submitter);
  });

  // Making a claim ----------------------------------------------------------------

  function openCreate(span, { focus }) {
    if (!createForm) return;
    pending = span;
    const fields = spanFields(span);
    for (const [name, value] of Object.entries(fields)) createForm.elements[name].value = value;
    document.getElementById("claim-form-quote").textContent = clip(fields.quote, 280);
    const wasHidden = createForm.hidden;
    createForm.hidden = false;
    for (const slot of createForm.querySelectorAll('[data-error-for~="quote"]')) slot.hidden = true;
    placePopover(span);
    paintPending();
    if (wasHidden) createForm.scrollIntoView({ block: "nearest" });
    if (focus) createForm.elements.restatement.focus({ preventScroll: true });
  }

  function placePopover(span) {
    const rects = rangeAt(span.start, span.end).getClientRects();
    const last = rects[rects.length - 1];
    if (!last) return;
    const host = reader.getBoundingClientRect();
    const width = createForm.offsetWidth;
    const left = Math.min(Math.max(12, last.left - host.left - 24), host.width - width - 12);
    createForm.style.left = `${Math.max(0, left)}px`;
    createForm.style.top = `${last.bottom - host.top + 10}px`;
  }

  function closeCreate({ backToText = false } = {}) {
    if (!createForm || createForm.hidden) return false;
    createForm.hidden = true; // what was typed stays, for the next selection
    stopCuePick();
    paintPending();
    if (backToText && pending) {
      // Give the keyboard its selection back, to adjust it with Shift + arrows.
      const selection = document.getSelection();
      selection.removeAllRanges();
      selection.addRange(rangeAt(pending.start, pending.end));
      textEl.focus({ preventScroll: true });
    }
    return true;
  }

  function created(result) {
    const claim = upsert(result);
    createForm.reset();
    for (const name of ["speaker", "cue_start", "cue_end"]) createForm.elements[name].value = "";
    createForm.querySelector("[data-typeahead]").reset();
    pending = null;
    cuePaint.span = null;
    closeCreate();
    document.getSelection().removeAllRanges();
    select(claim.id, { scrollText: false, focusItem: true });
  }

  function stopCuePick() {
    if (!cueTarget) return false;
    cueTarget.classList.remove("is-picking");
    cueTarget.querySelector(".pick-hint").hidden = true;
    cueTarget = null;
    return true;
  }

  function setCue(form, span) {
    const fields = spanFields(span);
    form.elements.cue.value = fields.quote;
    form.elements.cue_start.value = fields.start;
    form.elements.cue_end.value = fields.end;
    if (form === createForm) cuePaint.span = span;
    stopCuePick();
    document.getSelection().removeAllRanges();
    paintPending();
    form.elements.cue.focus({ preventScroll: true });
  }

  // A finished selection: the cue being picked, or a new claim.
  function selectionDone({ focus }) {
    const span = selectedSpan();
    if (!span) return;
    if (cueTarget) setCue(cueTarget, span);
    else openCreate(span, { focus });
  }

  // A drag may end outside the text (in the margin, over the panel): listen on the document.
  let dragging = false;
  textEl.addEventListener("mousedown", (event) => (dragging = event.button === 0));
  document.addEventListener("mouseup", () => {
    if (!dragging) return;
    dragging = false;
    setTimeout(() => selectionDone({ focus: true })); // once the browser has settled the selection
  });
  textEl.addEventListener("keyup", (event) => {
    if (event.key === "Shift") selectionDone({ focus: false });
  });

  // The keyboard's way through the text. Browsers move no caret in text that is not
  // editable (unless the reader turns on caret browsing), so the page moves one: the
  // arrows move it, Shift + arrows select, Ctrl moves by words. A drawn line shows it.
  const caret = element("span", "text-caret");
  caret.hidden = true;
  caret.setAttribute("aria-hidden", "true");
  reader.append(caret);
  const moves = {
    ArrowLeft: ["backward", "character"],
    ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"],
    ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"],
    End: ["forward", "lineboundary"],
  };

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
    const move = moves[event.key];
    if (event.key === "Enter" && !document.getSelection().isCollapsed) {
      event.preventDefault();
      return selectionDone({ focus: true });
    }
    if (!move || event.altKey || event.metaKey) return;
    event.preventDefault();
    caretAtStart();
    const [direction, granularity] = move;
    const by = event.ctrlKey && granularity === "character" ? "word" : granularity;
    document.getSelection().modify(event.shiftKey ? "extend" : "move", direction, by);
  });

  textEl.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.hl:not(.is-filtered)");
    if (!mark || !document.getSelection().isCollapsed) return;
    let id = Number(mark.dataset.claim);
    // A second click on the selected claim selects the claim around it, if any.
    if (id === selectedId) {
      const outer = mark.parentElement.closest("mark.hl:not(.is-filtered)");
      if (outer) id = Number(outer.dataset.claim);
    }
    select(id, { scrollText: false });
  });
  textEl.addEventListener("mouseover", (event) => hover(event.target.closest("mark.hl")));
  textEl.addEventListener("mouseleave", () => hover(null));
  let hovered = null;
  function hover(mark) {
    const id = mark ? Number(mark.dataset.claim) : null;
    if (id === hovered) return;
    for (const m of marks.get(hovered) || []) m.classList.remove("is-hover");
    hovered = id;
    for (const m of marks.get(hovered) || []) m.classList.add("is-hover");
  }

  listEl.addEventListener("click", (event) => {
    const head = event.target.closest(".claim-head");
    if (!head) return;
    const id = Number(head.closest(".claim-item").dataset.claim);
    select(id === selectedId ? null : id);
  });

  desk.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest("[data-close]")) closeCreate();
    else if (target.closest("[data-pick-cue]")) {
      stopCuePick();
      cueTarget = target.closest("form");
      cueTarget.classList.add("is-picking");
      cueTarget.querySelector(".pick-hint").hidden = false;
    } else if (target.closest("[data-edit]")) toggleEdit(target.closest(".claim-panel"));
    else if (target.closest("[data-edit-cancel]")) toggleEdit(target.closest(".claim-panel"), false);
    else if (target.closest("[data-clear-filters]")) {
      for (const control of document.querySelectorAll("[data-filter]")) control.value = "";
      Object.keys(filters).forEach((k) => (filters[k] = ""));
      applyFilters();
    }
  });

  // Typing a cue by hand unties it from any span picked in the text.
  desk.addEventListener("input", (event) => {
    if (event.target.name !== "cue") return;
    const form = event.target.form;
    form.elements.cue_start.value = "";
    form.elements.cue_end.value = "";
    if (form === createForm) {
      cuePaint.span = null;
      paintPending();
    }
  });

  function toggleEdit(panel, open) {
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

  function closeEdit() {
    const panel = selectedPanel();
    return Boolean(panel?.querySelector(".edit-form:not([hidden])")) && toggleEdit(panel, false);
  }

  function deselect() {
    if (selectedId === null) return false;
    const head = items.get(selectedId)?.querySelector(".claim-head");
    select(null);
    head?.focus();
    return true;
  }

  // The speaker type-ahead ---------------------------------------------------------

  function setupTypeahead(box) {
    const hidden = box.querySelector('input[name="speaker"]');
    const input = box.querySelector(".typeahead-input");
    const list = box.querySelector(".typeahead-list");
    const fresh = box.querySelector(".new-speaker");
    let results = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    const query = () => input.value.trim();
    function show(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
      if (!open) input.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      active = options.length ? (index + options.length) % options.length : -1;
      options.forEach((o, i) => o.setAttribute("aria-selected", String(i === active)));
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      }
    }
    function render() {
      const options = results.map((speaker, i) => {
        const li = element("li", "typeahead-option");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        const name = element("span", "option-name", speaker.name);
        const side = element("span", "side-chip", labels.side[speaker.side] || speaker.side);
        side.dataset.side = speaker.side;
        li.append(name, side);
        if (speaker.alias) li.append(element("span", "option-alias", `also “${speaker.alias}”`));
        li.addEventListener("mousedown", (e) => e.preventDefault());
        li.addEventListener("click", () => pick(speaker));
        return li;
      });
      const typed = query();
      const exact = results.some((s) => s.name.toLowerCase() === typed.toLowerCase() || s.alias?.toLowerCase() === typed.toLowerCase());
      if (typed && !exact) {
        const li = element("li", "typeahead-option create");
        li.id = `${list.id}-new`;
        li.setAttribute("role", "option");
        li.textContent = `Create “${typed}” as a new speaker…`;
        li.addEventListener("mousedown", (e) => e.preventDefault());
        li.addEventListener("click", createNew);
        options.push(li);
      }
      if (!options.length) options.push(element("li", "typeahead-empty", "No speaker matches."));
      list.replaceChildren(...options);
      show(document.activeElement === input);
      highlight(typed ? 0 : -1);
    }
    async function search() {
      const mine = ++asked;
      try {
        const url = `${data.urls.speakerSearch}?q=${encodeURIComponent(query())}`;
        const response = await fetch(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        const json = await response.json();
        if (mine !== asked) return; // a later search has been asked for
        results = response.ok ? json.results : [];
        render();
        if (!response.ok) list.replaceChildren(element("li", "typeahead-empty", json.error || "The search failed."));
      } catch {
        if (mine !== asked) return;
        results = [];
        list.replaceChildren(element("li", "typeahead-empty", "Could not reach the server to search speakers."));
        show(true);
      }
    }
    function pick(speaker) {
      speakers.set(speaker.id, { ...speakers.get(speaker.id), ...speaker });
      hidden.value = speaker.id;
      input.value = speaker.name;
      box.dataset.mode = "";
      fresh.hidden = true;
      input.closest(".typeahead-box").hidden = false;
      show(false);
      const slot = box.querySelector('[data-error-for="speaker"]');
      slot.hidden = true;
      input.removeAttribute("aria-invalid");
    }
    function createNew() {
      hidden.value = "";
      box.dataset.mode = "new";
      fresh.hidden = false;
      input.closest(".typeahead-box").hidden = true; // the new speaker's name field takes its place
      fresh.querySelector('[name$="name"]').value = query();
      show(false);
      fresh.querySelector("select").focus();
    }
    box.pick = pick;
    box.pickExact = () => {
      const typed = query().toLowerCase();
      const match = results.find((s) => s.name.toLowerCase() === typed || s.alias?.toLowerCase() === typed);
      if (match) pick(match);
      return Boolean(match);
    };
    box.reset = () => {
      hidden.value = "";
      input.value = "";
      box.dataset.mode = "";
      fresh.hidden = true;
      input.closest(".typeahead-box").hidden = false;
      results = [];
      show(false);
    };
    input.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    input.addEventListener("focus", search);
    input.addEventListener("blur", () => setTimeout(() => show(false), 150));
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) return search();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0 && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        list.querySelectorAll("[role=option]")[active].click();
      } else if (event.key === "Escape" && open) {
        event.stopPropagation();
        show(false);
      }
    });
    box.querySelector("[data-cancel-new-speaker]").addEventListener("click", () => {
      box.dataset.mode = "";
      fresh.hidden = true;
      input.closest(".typeahead-box").hidden = false;
      input.focus();
    });
  }

  // Filters and colours --------------------------------------------------------------

  for (const control of document.querySelectorAll("[data-filter]")) {
    control.addEventListener("change", () => {
      filters[control.dataset.filter] = control.value;
      applyFilters();
      if (selectedId !== null && !visible(claims.find((c) => c.id === selectedId))) select(null);
    });
  }

  const colourInputs = [...document.querySelectorAll('input[name="colour"]')];
  function colourBy(mode) {
    desk.dataset.colour = mode;
    for (const input of colourInputs) input.checked = input.value === mode;
    try {
      localStorage.setItem("desk-colour", mode);
    } catch {
      // private windows may refuse storage; the choice then lasts the page
    }
  }
  for (const input of colourInputs) input.addEventListener("change", () => colourBy(input.value));

  // Keyboard -----------------------------------------------------------------------

  function selectedPanel() {
    return selectedId === null ? null : items.get(selectedId)?.querySelector(".claim-panel");
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing =
      Boolean(target.closest?.("textarea, select, [contenteditable]")) ||
      (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type));
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing && target.form?.dataset.ajax) {
      event.preventDefault();
      target.form.requestSubmit(target.form.querySelector("button[type=submit]"));
      return;
    }
    if (event.key === "Escape") {
      if (shortcuts.open) return; // the dialog closes itself
      const inForm = Boolean(createForm?.contains(target));
      if (stopCuePick() || closeCreate({ backToText: inForm }) || closeEdit() || deselect()) {
        event.preventDefault();
      }
      return;
    }
    if (typing || event.altKey || event.ctrlKey || event.metaKey || shortcuts.open) return;
    const panel = selectedPanel();
    const actions = {
      "?": () => shortcuts.showModal(),
      n: () => {
        const span = selectedSpan();
        if (span) openCreate(span, { focus: true });
        else if (createForm && !createForm.hidden) createForm.elements.restatement.focus();
      },
      j: () => step(1),
      k: () => step(-1),
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

  // Go -------------------------------------------------------------------------------

  performance.mark("desk:draw-start");
  drawAll();
  listAll();
  refreshTotals();
  applyFilters();
  performance.mark("desk:highlights-drawn");
  performance.measure("desk:draw", "desk:draw-start", "desk:highlights-drawn");
  desk.dataset.ready = "true";

  let savedColour = null;
  try {
    savedColour = localStorage.getItem("desk-colour");
  } catch {
    // as above
  }
  if (savedColour === "side" || savedColour === "status") colourBy(savedColour);
  if (createForm) setupTypeahead(createForm.querySelector("[data-typeahead]"));
  const linked = /^#claim-(\d+)$/.exec(location.hash);
  if (linked && items.has(Number(linked[1]))) select(Number(linked[1]));
}
