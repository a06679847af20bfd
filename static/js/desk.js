// The article page: draws the claims over the text, lists them beside it, turns a
// selection into a claim, and sends the panel's forms to /api/. No framework, no
// build step: ES modules, imported from here.
//
//   offsets.js     UTF-16 units ↔ code points, whole characters, a span's fields
//   model.js       claims and speakers as data: order, filters, counts, highlight pieces
//   api.js         requests to /api/ and their errors, mapped to the forms' fields
//   highlights.js  the <mark>s over the text; selections read back as spans
//   panel.js       the list of claims, the filters, the selected claim's panel
//   claim-form.js  the new claim's form and the cue picked in the text
//   forms.js       sending the forms, showing what was refused
//   typeahead.js   the speaker type-ahead
//   keyboard.js    the caret in the text and the shortcuts
//   suggestions.js the suggested claims: drawn, listed, accepted or dismissed

import { apiClient } from "./api.js";
import { cueTyped, closeCreate, listenForSelections, startCuePick } from "./claim-form.js";
import { listenForSubmits } from "./forms.js";
import { drawAll, readParagraphs } from "./highlights.js";
import { setupCaret, setupShortcuts } from "./keyboard.js";
import { offsetConverter } from "./offsets.js";
import { applyFilters, filterBy, listAll, refreshTotals, select, selectFromHash, toggleEdit } from "./panel.js";
import { setupSuggestions } from "./suggestions.js";
import { setupTypeahead } from "./typeahead.js";

function start(desk) {
  performance.mark("desk:start");
  const data = JSON.parse(document.getElementById("desk-data").textContent);
  const textEl = document.getElementById("article-text");
  const ctx = {
    data,
    text: data.text,
    conv: offsetConverter(data.text),
    labels: data.labels,
    api: apiClient({ csrfToken: data.csrfToken }),
    els: {
      desk,
      text: textEl,
      reader: textEl.closest(".reader"),
      list: document.getElementById("claim-list"),
      createForm: document.getElementById("claim-form"),
      shortcuts: document.getElementById("shortcuts"),
    },
    claims: data.claims, // in text order: by start, then longest first, then id
    speakers: new Map(data.speakers.map((s) => [s.id, s])),
    marks: new Map(), // claim id -> its <mark> pieces
    items: new Map(), // claim id -> its <li> in the panel
    filters: { speaker: "", side: "", kind: "", status: "" },
    selectedId: null,
    pending: null, // the span the creation form is for, in units: {start, end}
    cueSpan: null, // the cue picked for it, painted likewise
    cueTarget: null, // the form whose cue the next selection sets
  };
  ctx.paragraphs = readParagraphs(ctx);

  // Clicks: on a highlight, on the list, on the forms' buttons.
  textEl.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.hl:not(.is-filtered)");
    if (!mark || !document.getSelection().isCollapsed) return;
    let id = Number(mark.dataset.claim);
    // A second click on the selected claim selects the claim around it, if any.
    if (id === ctx.selectedId) {
      const outer = mark.parentElement.closest("mark.hl:not(.is-filtered)");
      if (outer) id = Number(outer.dataset.claim);
    }
    select(ctx, id, { scrollText: false });
  });
  let hovered = null;
  const hover = (mark) => {
    const id = mark ? Number(mark.dataset.claim) : null;
    if (id === hovered) return;
    for (const m of ctx.marks.get(hovered) || []) m.classList.remove("is-hover");
    hovered = id;
    for (const m of ctx.marks.get(hovered) || []) m.classList.add("is-hover");
  };
  textEl.addEventListener("mouseover", (event) => hover(event.target.closest("mark.hl")));
  textEl.addEventListener("mouseleave", () => hover(null));
  ctx.els.list.addEventListener("click", (event) => {
    const head = event.target.closest(".claim-head");
    if (!head) return;
    const id = Number(head.closest(".claim-item").dataset.claim);
    select(ctx, id === ctx.selectedId ? null : id);
  });
  desk.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest("[data-close]")) closeCreate(ctx);
    else if (target.closest("[data-pick-cue]")) startCuePick(ctx, target.closest("form"));
    else if (target.closest("[data-edit]")) toggleEdit(target.closest(".claim-panel"));
    else if (target.closest("[data-edit-cancel]")) toggleEdit(target.closest(".claim-panel"), false);
    else if (target.closest("[data-clear-filters]")) {
      for (const control of document.querySelectorAll("[data-filter]")) control.value = "";
      Object.keys(ctx.filters).forEach((k) => (ctx.filters[k] = ""));
      applyFilters(ctx);
    }
  });
  desk.addEventListener("input", (event) => {
    if (event.target.name === "cue") cueTyped(ctx, event.target.form);
  });
  for (const control of document.querySelectorAll("[data-filter]")) {
    control.addEventListener("change", () => filterBy(ctx, control.dataset.filter, control.value));
  }

  // Colours: by status or by the speaker's side, remembered across visits.
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

  listenForSelections(ctx);
  listenForSubmits(ctx);
  setupCaret(ctx);
  setupShortcuts(ctx, { colourBy });

  performance.mark("desk:draw-start");
  drawAll(ctx);
  listAll(ctx);
  refreshTotals(ctx);
  applyFilters(ctx);
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
  if (ctx.els.createForm) setupTypeahead(ctx, ctx.els.createForm.querySelector("[data-typeahead]"));
  setupSuggestions(ctx);
  // A link to #claim-N opens that claim, on arrival and when only the address's # part changes.
  selectFromHash(ctx);
  window.addEventListener("hashchange", () => selectFromHash(ctx));
}

const desk = document.getElementById("desk");
if (desk) start(desk);
