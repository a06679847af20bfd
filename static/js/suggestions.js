// Suggested claims: statements the desk found worth checking, with who says them.
// They come from GET /api/articles/{id}/suggestions/, are drawn apart from the claims
// (a dashed underline painted with the CSS Custom Highlight API, which leaves the
// text's DOM alone), and are listed in the panel with their reasons. Accepting one
// opens the claim form filled in, to edit and save as usual; dismissing one hides it
// for this reviewer (POST …/suggestions/dismissed/).
//
// The functions before setupSuggestions() need no DOM (tests/js/suggestions.test.mjs).

import { openCreate } from "./claim-form.js";
import { rangeAt, paintPending } from "./highlights.js";
import { clip } from "./model.js";

/** Return who says a suggestion, in words for the list. */
export function whoSays(attribution) {
  if (attribution.kind === "author") return "Article's own voice";
  if (attribution.speaker) return attribution.speaker.name;
  if (attribution.new_speaker) return `${attribution.new_speaker.name} (new speaker)`;
  return attribution.speaker_text || "Unknown speaker";
}

/**
 * Return what the claim form is filled in with for a suggestion: its kind, the
 * attribution and cue (code points, as the form sends them), and the speaker: the
 * register's (`speakerId`), a new one to create (`newSpeaker`), or none.
 */
export function formValues(suggestion) {
  const a = suggestion.attribution;
  return {
    kind: suggestion.kind,
    attribution: a.kind,
    cue: a.cue || "",
    cue_start: a.cue_start ?? "",
    cue_end: a.cue_end ?? "",
    speakerId: a.kind === "author" ? null : (a.speaker?.id ?? null),
    newSpeaker: a.kind === "author" || a.speaker ? null : (a.new_speaker ?? null),
  };
}

/** Return the suggestions that no claim covers with the same span, in their order. */
export function unclaimed(suggestions, claims) {
  const spans = new Set(claims.map((c) => `${c.start}:${c.end}`));
  return suggestions.filter((s) => !spans.has(`${s.start}:${s.end}`));
}

/** Return the index after `current` in a list of `length` going `direction` (±1), wrapping round. */
export function stepIndex(length, current, direction) {
  if (!length) return -1;
  if (current < 0) return direction > 0 ? 0 : length - 1;
  return (current + direction + length) % length;
}

const isTyping = (target) =>
  Boolean(target.closest?.("textarea, select, [contenteditable]")) ||
  (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type));

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Wire the panel's suggestions; a page without the section (no right to make claims) has none. */
export function setupSuggestions(ctx) {
  const section = document.getElementById("suggestions");
  if (!section || !ctx.els.createForm) return;
  const list = section.querySelector("#suggestion-list");
  const status = section.querySelector("#suggestions-status");
  const count = section.querySelector("#suggestion-count");
  const state = { all: [], shown: [], current: -1 };

  const unitSpan = (s) => ({ start: ctx.conv.toUnits(s.start), end: ctx.conv.toUnits(s.end) });
  const key = (s) => `${s.start}:${s.end}`;

  function paint() {
    if (!window.CSS?.highlights) return;
    const current = state.shown[state.current];
    const others = state.shown.filter((s) => s !== current);
    if (others.length) {
      CSS.highlights.set("suggestion", new Highlight(...others.map((s) => rangeAt(ctx, ...Object.values(unitSpan(s))))));
    } else CSS.highlights.delete("suggestion");
    if (current) CSS.highlights.set("suggestion-current", new Highlight(rangeAt(ctx, ...Object.values(unitSpan(current)))));
    else CSS.highlights.delete("suggestion-current");
  }

  function say(message) {
    status.textContent = message;
    status.hidden = !message;
  }

  function render() {
    const keep = state.shown[state.current];
    state.shown = unclaimed(state.all, ctx.claims);
    state.current = keep ? state.shown.indexOf(keep) : -1;
    count.textContent = String(state.shown.length);
    list.replaceChildren(
      ...state.shown.map((s, i) => {
        const li = element("li", "suggestion-item");
        li.dataset.suggestion = key(s);
        li.classList.toggle("is-current", i === state.current);
        const head = element("button", "suggestion-head");
        head.type = "button";
        head.append(
          element("span", "claim-quote", `“${clip(s.quote.replace(/\s+/g, " "), 180)}”`),
          element("span", "claim-who", whoSays(s.attribution)),
        );
        const tags = element("span", "claim-tags");
        tags.append(element("span", "claim-kind", ctx.labels.kind[s.kind] || s.kind), element("span", "suggestion-score", `score ${s.score.toFixed(2)}`));
        head.append(tags);
        head.addEventListener("click", () => choose(i));
        const reasons = element("ul", "suggestion-reasons");
        reasons.append(...s.reasons.map((r) => element("li", "", r)));
        const actions = element("div", "suggestion-actions");
        const accept = element("button", "button small primary", "Accept");
        accept.type = "button";
        accept.dataset.acceptSuggestion = "";
        accept.addEventListener("click", () => acceptAt(i));
        const dismiss = element("button", "button small", "Dismiss");
        dismiss.type = "button";
        dismiss.dataset.dismissSuggestion = "";
        dismiss.addEventListener("click", () => dismissAt(i));
        actions.append(accept, dismiss);
        li.append(head, reasons, actions);
        return li;
      }),
    );
    if (!state.shown.length && !status.textContent) say("No suggestions left: every one is a claim or dismissed.");
    paint();
  }

  function choose(index) {
    state.current = index;
    list.querySelectorAll(".suggestion-item").forEach((li, i) => {
      li.classList.toggle("is-current", i === index);
      if (i === index) li.setAttribute("aria-current", "true");
      else li.removeAttribute("aria-current");
    });
    const s = state.shown[index];
    if (!s) return paint();
    list.children[index].scrollIntoView({ block: "nearest" });
    const range = rangeAt(ctx, ...Object.values(unitSpan(s)));
    range.startContainer.parentElement?.closest(".para")?.scrollIntoView({ block: "nearest" });
    paint();
  }

  async function acceptAt(index) {
    const s = state.shown[index];
    if (!s) return;
    choose(index);
    const form = ctx.els.createForm;
    const values = formValues(s);
    openCreate(ctx, unitSpan(s), { focus: false });
    form.elements.kind.value = values.kind;
    form.elements.attribution.value = values.attribution;
    form.elements.cue.value = values.cue;
    form.elements.cue_start.value = values.cue_start;
    form.elements.cue_end.value = values.cue_end;
    ctx.cueSpan = values.cue_start === "" ? null : unitSpan({ start: values.cue_start, end: values.cue_end });
    paintPending(ctx);
    const box = form.querySelector("[data-typeahead]");
    box.reset();
    if (values.speakerId !== null) {
      const answer = await ctx.api.get(`${ctx.data.urls.speakers}${values.speakerId}/`);
      if (answer.ok) box.pick(answer.data);
      else box.querySelector(".typeahead-input").value = s.attribution.speaker.name;
    } else if (values.newSpeaker) {
      box.createNew(values.newSpeaker.name);
      const kind = box.querySelector('.new-speaker [name$="kind"]');
      if (kind) kind.value = values.newSpeaker.kind;
    }
    form.elements.restatement.focus({ preventScroll: true });
  }

  async function dismissAt(index) {
    const s = state.shown[index];
    if (!s) return;
    const answer = await ctx.api.post(ctx.data.urls.dismissSuggestion, { start: s.start, end: s.end });
    if (!answer.ok) {
      say(answer.status === 0 ? "Could not reach the server to dismiss it; try again." : answer.data?.detail || "The server refused to dismiss it.");
      return;
    }
    state.all = state.all.filter((x) => x !== s);
    const next = Math.min(index, state.shown.length - 2);
    render();
    if (state.shown.length) choose(next);
  }

  // Keys: Shift J / Shift K next and previous suggestion (j and k step through the claims),
  // a accept, x dismiss.
  document.addEventListener("keydown", (event) => {
    if (isTyping(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (ctx.els.shortcuts?.open) return;
    const actions = {
      J: () => choose(stepIndex(state.shown.length, state.current, 1)),
      K: () => choose(stepIndex(state.shown.length, state.current, -1)),
      a: () => acceptAt(state.current),
      x: () => dismissAt(state.current),
    };
    const action = actions[event.key];
    if (action && state.shown.length) {
      event.preventDefault();
      action();
    }
  });

  // A redraw of the text (a claim made or changed) replaces the ranges' nodes: paint again;
  // a new claim on a suggestion's span takes it off the list.
  let queued = false;
  const again = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  };
  new MutationObserver(again).observe(ctx.els.text, { childList: true, subtree: true });
  new MutationObserver(again).observe(ctx.els.list, { childList: true });

  say("Looking for checkable statements…");
  ctx.api.get(ctx.data.urls.suggestions).then((answer) => {
    if (!answer.ok) {
      say(answer.status === 0 ? "Could not reach the server for suggestions." : "Suggestions are not available.");
      return;
    }
    state.all = answer.data;
    say("");
    render();
  });
}
