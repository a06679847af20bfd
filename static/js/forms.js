// Sending the page's forms to /api/ and showing what it refused beside each field.

import {
  SPEAKER_FIELDS,
  claimEditBody,
  describeFailure,
  newClaimBody,
  sourceBody,
  speakerBody,
  submissionKeys,
} from "./api.js";
import { created } from "./claim-form.js";
import { loadPanel, remove, upsert } from "./panel.js";

export function clearErrors(form) {
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

/** Put each field's messages next to it; what names no field of the form goes on top. */
export function showErrors(form, { fields = {}, general = [] }) {
  const above = [...general];
  let first = null;
  for (const [field, messages] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-error-for~="${CSS.escape(field)}"]`);
    if (!slot) {
      above.push(...messages);
      continue;
    }
    slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(" ");
    slot.hidden = false;
    const input =
      form.querySelector(`[name="${CSS.escape(field)}"]:not([type=hidden])`) ||
      slot.closest(".field")?.querySelector("input:not([type=hidden]), select, textarea");
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first ||= input;
    }
    first ||= slot;
  }
  if (above.length) formError(form, above.join(" "));
  else first?.scrollIntoView({ block: "nearest" });
  if (first?.focus && first.matches("input, select, textarea")) first.focus({ preventScroll: true });
}

function refused(form, answer, options) {
  const failure = describeFailure(answer, options);
  const version = form.querySelector('[name="version"]');
  if (failure.currentVersion !== null && version) version.value = failure.currentVersion;
  if (failure.duplicates) form.querySelector("[data-typeahead]")?.offer(failure.duplicates);
  showErrors(form, failure);
}

/** The form's values by name (radio buttons: the checked one's). */
function values(form) {
  const found = {};
  for (const [name, value] of new FormData(form)) if (typeof value === "string") found[name] = value;
  return found;
}

const keys = submissionKeys();

/** Return a call that POSTs from the form with its submission's Idempotency-Key. */
function posting(ctx, form, url, body) {
  return async () => {
    const key = keys.take(form, url, body);
    const answer = await ctx.api.post(url, body, { key });
    keys.settle(form, key, answer);
    return answer;
  };
}

/** Send with the form's buttons disabled; return the answer, or null after showing the refusal. */
async function send(form, call, options) {
  const buttons = [...form.querySelectorAll("button[type=submit]")];
  buttons.forEach((b) => (b.disabled = true));
  form.setAttribute("aria-busy", "true");
  const answer = await call();
  buttons.forEach((b) => (b.disabled = false));
  form.removeAttribute("aria-busy");
  if (answer.ok) return answer;
  refused(form, answer, options);
  return null;
}

// A form with a new speaker in its type-ahead creates the speaker first.
async function speakerReady(ctx, form) {
  const box = form.querySelector("[data-typeahead]");
  if (!box) return true;
  const hidden = box.querySelector('input[name="speaker"]');
  const input = box.querySelector(".typeahead-input");
  if (box.dataset.mode === "new") {
    const body = speakerBody(values(form));
    const answer = await send(form, posting(ctx, form, ctx.data.urls.speakers, body), { rename: SPEAKER_FIELDS });
    if (!answer) return false;
    box.pick(answer.data);
    return true;
  }
  if (!hidden.value && input.value.trim()) {
    if (box.pickExact()) return true;
    const typed = input.value.trim();
    showErrors(form, { fields: { speaker: [`Pick “${typed}” from the list, or choose “Create” to add a new speaker.`] } });
    return false;
  }
  return true;
}

const claimUrl = (ctx, id) => `${ctx.data.urls.claims}${id}/`;

/** Read the claim again after a change to its sources or verdicts (its counts, its version). */
async function refreshClaim(ctx, id, options) {
  const answer = await ctx.api.get(claimUrl(ctx, id));
  if (answer.ok) upsert(ctx, answer.data, options);
}

// What each form does: the request it sends, and what the page does with the answer.
const ACTIONS = {
  async create(ctx, form, submitter) {
    const v = values(form);
    const span = { start: Number(v.start), end: Number(v.end), quote: v.quote, prefix: v.prefix, suffix: v.suffix };
    const body = newClaimBody(ctx.data.article, span, v, { submit: Boolean(submitter?.hasAttribute("data-submit")) });
    const answer = await send(form, posting(ctx, form, ctx.data.urls.claims, body));
    if (answer) created(ctx, upsert(ctx, answer.data));
  },
  async edit(ctx, form, _submitter, id) {
    const body = claimEditBody(values(form));
    const answer = await send(form, () => ctx.api.patch(claimUrl(ctx, id), body));
    if (answer) upsert(ctx, answer.data);
    return answer;
  },
  async submit(ctx, form, _submitter, id) {
    const answer = await send(form, posting(ctx, form, `${claimUrl(ctx, id)}submit/`, {}));
    if (answer) upsert(ctx, answer.data);
    return answer;
  },
  async delete(ctx, form, _submitter, id) {
    if (await send(form, () => ctx.api.delete(claimUrl(ctx, id)))) remove(ctx, id);
  },
  async source(ctx, form, _submitter, id) {
    const body = sourceBody(values(form));
    const answer = await send(form, posting(ctx, form, `${claimUrl(ctx, id)}sources/`, body));
    if (answer) await refreshClaim(ctx, id);
    return answer;
  },
  async "source-remove"(ctx, form, _submitter, id) {
    const answer = await send(form, () => ctx.api.delete(`${claimUrl(ctx, id)}sources/${form.dataset.source}/`));
    if (answer) await refreshClaim(ctx, id);
    return answer;
  },
  async verdict(ctx, form, _submitter, id) {
    const { rating, rationale } = values(form);
    const body = { rating, rationale };
    const answer = await send(form, posting(ctx, form, `${claimUrl(ctx, id)}verdicts/`, body));
    if (answer) await refreshClaim(ctx, id, { addedVerdicts: answer.status === 201 ? 1 : 0 });
    return answer;
  },
};

// Where the keyboard goes once the panel is loaded again after each kind of change.
const FOCUS_AFTER = { source: "details.add-source summary", verdict: ".verdict-form button[type=submit]" };

/** A destructive form asks for a second click within four seconds. */
function armed(form) {
  if (!form.dataset.confirm || form.dataset.armed === "yes") return true;
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
  return false;
}

export async function submitForm(ctx, form, submitter) {
  clearErrors(form);
  if (!armed(form)) return;
  if (!(await speakerReady(ctx, form))) return;
  const kind = form.dataset.ajax;
  const id = Number(form.closest(".claim-panel")?.dataset.claim);
  const answer = await ACTIONS[kind](ctx, form, submitter, id);
  if (!answer || ctx.selectedId !== id) return;
  // Keep the keyboard where the reader was working.
  const head = ctx.items.get(id).querySelector(".claim-head");
  const near = FOCUS_AFTER[kind];
  loadPanel(ctx, id, { then: (detail) => ((near && detail.querySelector(near)) || head).focus() });
}

export function listenForSubmits(ctx) {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.dataset.ajax || !ctx.els.desk.contains(form)) return;
    event.preventDefault();
    submitForm(ctx, form, event.submitter);
  });
}
