// The import page: a dry run through /api/articles/import/ shows what would be stored;
// the reviewer trims it and confirms; the same endpoint then stores it, and the page
// goes to the new article. What is sent is built in import-text.js.

import { apiClient, describeFailure } from "./api.js";
import { articleAddress, importBody, keptText, previewBody } from "./import-text.js";

const data = JSON.parse(document.getElementById("import-data").textContent);
const api = apiClient({ csrfToken: data.csrfToken });
const sourceForm = document.getElementById("import-source");
const previewForm = document.getElementById("import-preview");
const list = document.getElementById("import-paragraphs");
const summary = document.getElementById("import-summary");
let paragraphs = []; // [{keep, text}] as the reviewer leaves them

const chosenSource = () => sourceForm.elements.source.value;

function showSource() {
  for (const el of sourceForm.querySelectorAll("[data-source]")) el.hidden = el.dataset.source !== chosenSource();
}

function clearErrors(form) {
  for (const el of form.querySelectorAll("[data-error-for]")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const general = form.querySelector(".form-errors");
  general.hidden = true;
  general.replaceChildren();
}

function showErrors(form, answer) {
  const { fields, general } = describeFailure(answer);
  const box = form.querySelector(".form-errors");
  for (const [name, messages] of Object.entries(fields)) {
    if (name === "existing_article") continue;
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    if (slot && !slot.parentElement.closest("[hidden]")) {
      slot.textContent = messages.join(" ");
      slot.hidden = false;
      form.elements[name]?.setAttribute?.("aria-invalid", "true");
    } else {
      general.push(...messages);
    }
  }
  const existing = answer.data?.existing_article;
  const lines = general.map((message) => Object.assign(document.createElement("p"), { textContent: message }));
  if (existing) {
    const link = Object.assign(document.createElement("a"), {
      href: existing.page_url,
      textContent: `Open “${existing.display_title}”`,
    });
    const line = document.createElement("p");
    line.append("It is already on the desk: ", link, ".");
    lines.push(line);
  }
  if (lines.length) {
    box.replaceChildren(...lines);
    box.hidden = false;
  }
  (form.querySelector('[aria-invalid="true"]') || box).focus?.();
}

function sizeToFit(area) {
  area.style.height = "auto";
  area.style.height = `${area.scrollHeight + 2}px`;
}

function updateSummary() {
  const kept = paragraphs.filter((p) => p.keep).length;
  const length = [...keptText(paragraphs)].length;
  summary.textContent = `${kept} of ${paragraphs.length} paragraphs kept: ${length.toLocaleString()} characters.`;
}

function showPreview(found) {
  for (const name of ["title", "byline", "outlet", "published_on", "language", "url"]) {
    previewForm.elements[name].value = found[name] ?? "";
  }
  paragraphs = found.paragraphs.map((text) => ({ keep: true, text }));
  list.replaceChildren(
    ...paragraphs.map((paragraph, i) => {
      const item = document.createElement("li");
      item.className = "import-para";
      const box = Object.assign(document.createElement("input"), { type: "checkbox", checked: true });
      box.setAttribute("aria-label", `Keep paragraph ${i + 1}`);
      const area = Object.assign(document.createElement("textarea"), { value: paragraph.text, rows: 2, dir: "auto" });
      area.setAttribute("aria-label", `Paragraph ${i + 1}`);
      box.addEventListener("change", () => {
        paragraph.keep = box.checked;
        item.classList.toggle("is-dropped", !box.checked);
        updateSummary();
      });
      area.addEventListener("input", () => {
        paragraph.text = area.value;
        sizeToFit(area);
        updateSummary();
      });
      item.append(box, area);
      return item;
    }),
  );
  const removed = document.getElementById("import-removed");
  removed.replaceChildren(...found.removed.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  document.getElementById("import-removed-count").textContent = found.removed.length;
  updateSummary();
  sourceForm.hidden = true;
  previewForm.hidden = false;
  for (const area of list.querySelectorAll("textarea")) sizeToFit(area);
  previewForm.elements.title.focus();
}

async function send(form, body, headers) {
  const buttons = form.querySelectorAll("button");
  const busy = form.querySelector("[data-busy]");
  buttons.forEach((b) => (b.disabled = true));
  if (busy) busy.hidden = false;
  try {
    return await api.post(data.urls.import, body, headers);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    if (busy) busy.hidden = true;
  }
}

sourceForm.addEventListener("change", (event) => {
  if (event.target.name === "source") showSource();
});

document.getElementById("import-file").addEventListener("change", async (event) => {
  const [file] = event.target.files;
  if (file) sourceForm.elements.html.value = await file.text();
});

sourceForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(sourceForm);
  const values = Object.fromEntries(new FormData(sourceForm));
  const answer = await send(sourceForm, previewBody(chosenSource(), values));
  if (answer.ok) showPreview(answer.data.extraction);
  else showErrors(sourceForm, answer);
});

let key = null; // one Idempotency-Key per confirmed preview: a second click imports once
previewForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(previewForm);
  const fields = Object.fromEntries(new FormData(previewForm));
  key ||= crypto.randomUUID();
  const answer = await send(previewForm, importBody(paragraphs, fields), { key });
  if (answer.ok) {
    window.location.assign(articleAddress(data.urls.article, answer.data.article.id));
    return;
  }
  if (answer.status !== 0) key = null;
  showErrors(previewForm, answer);
});

previewForm.addEventListener("input", () => (key = null));

previewForm.querySelector("[data-back]").addEventListener("click", () => {
  previewForm.hidden = true;
  sourceForm.hidden = false;
  sourceForm.querySelector("input:checked").focus();
});

showSource();
