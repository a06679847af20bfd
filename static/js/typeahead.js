// The speaker type-ahead: searches GET /api/speakers/?search= as the reviewer types
// (which lists names that start with the words first), and offers to create a new speaker.

import { describeDuplicate } from "./api.js";
import { exactSpeaker } from "./model.js";

const SHOWN = 8; // speakers listed at once

function option(list, id, className) {
  const li = document.createElement("li");
  li.className = className;
  li.id = `${list.id}-${id}`;
  li.setAttribute("role", "option");
  li.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the input
  return li;
}

function note(text) {
  const li = document.createElement("li");
  li.className = "typeahead-empty";
  li.textContent = text;
  return li;
}

/**
 * Wire one type-ahead box ([data-typeahead]). The list opens when the reader types,
 * clicks in the box or presses ↓, not when the box merely gets the focus: a form
 * that focuses it to show an error must not cover the error with the list.
 */
export function setupTypeahead(ctx, box) {
  const hidden = box.querySelector('input[name="speaker"]');
  const input = box.querySelector(".typeahead-input");
  const list = box.querySelector(".typeahead-list");
  const fresh = box.querySelector(".new-speaker");
  const duplicates = box.querySelector("[data-possible-duplicates]");
  const confirmNew = box.querySelector('[name="speaker-confirm_new"]');
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
      const li = option(list, i, "typeahead-option");
      const name = document.createElement("span");
      name.className = "option-name";
      name.textContent = speaker.name;
      const side = document.createElement("span");
      side.className = "side-chip";
      side.dataset.side = speaker.side;
      side.textContent = ctx.labels.side[speaker.side] || speaker.side;
      li.append(name, side);
      if (speaker.matched_alias) {
        const alias = document.createElement("span");
        alias.className = "option-alias";
        alias.textContent = `also “${speaker.matched_alias}”`;
        li.append(alias);
      }
      li.addEventListener("click", () => pick(speaker));
      return li;
    });
    const typed = query();
    if (typed && !exactSpeaker(results, typed)) {
      const li = option(list, "new", "typeahead-option create");
      li.textContent = `Create “${typed}” as a new speaker…`;
      li.addEventListener("click", () => createNew());
      options.push(li);
    }
    if (!options.length) options.push(note("No speaker matches."));
    list.replaceChildren(...options);
    show(document.activeElement === input);
    highlight(typed ? 0 : -1);
  }
  async function search() {
    const mine = ++asked;
    const typed = query();
    const answer = await ctx.api.get(ctx.data.urls.speakers, { search: typed, page_size: SHOWN });
    if (mine !== asked) return; // a later search has been asked for
    if (!answer.ok) {
      results = [];
      const why = answer.status === 0 ? "Could not reach the server to search speakers." : answer.data?.detail;
      list.replaceChildren(note(why || "The search failed."));
      show(document.activeElement === input);
      return;
    }
    results = answer.data.results;
    render();
  }
  function pick(speaker) {
    const { id, name, kind, side, role } = speaker;
    ctx.speakers.set(id, { ...ctx.speakers.get(id), id, name, kind, side, role });
    hidden.value = id;
    input.value = name;
    box.dataset.mode = "";
    fresh.hidden = true;
    hideDuplicates();
    input.closest(".typeahead-box").hidden = false;
    show(false);
    box.querySelector('[data-error-for="speaker"]').hidden = true;
    input.removeAttribute("aria-invalid");
  }
  function createNew(name = query()) {
    hidden.value = "";
    box.dataset.mode = "new";
    fresh.hidden = false;
    input.closest(".typeahead-box").hidden = true; // the new speaker's name field takes its place
    fresh.querySelector('[name$="name"]').value = name;
    show(false);
    fresh.querySelector("select").focus();
  }
  function hideDuplicates() {
    duplicates.hidden = true;
    duplicates.querySelector("ul").replaceChildren();
    confirmNew.checked = false;
  }
  // The API found speakers close to the new one: offer them, or a confirmed new one.
  box.offer = (candidates) => {
    const items = candidates.map((candidate) => {
      const li = document.createElement("li");
      const use = document.createElement("button");
      use.type = "button";
      use.className = "link-button";
      use.textContent = `Use ${candidate.name}`;
      use.addEventListener("click", async () => {
        const answer = await ctx.api.get(`${ctx.data.urls.speakers}${candidate.id}/`);
        if (answer.ok) {
          pick(answer.data);
          input.focus();
        }
      });
      const what = document.createElement("span");
      what.className = "duplicate-note";
      what.textContent = describeDuplicate(candidate);
      li.append(use, " ", what);
      return li;
    });
    duplicates.querySelector("ul").replaceChildren(...items);
    duplicates.hidden = false;
  };
  confirmNew.addEventListener("change", () => {
    const slot = box.querySelector('[data-error-for~="speaker-name"]');
    if (confirmNew.checked && slot) slot.hidden = true;
  });
  box.pick = pick;
  box.createNew = createNew; // a suggested claim's new speaker
  box.pickExact = () => {
    const match = exactSpeaker(results, query());
    if (match) pick(match);
    return Boolean(match);
  };
  box.reset = () => {
    hidden.value = "";
    input.value = "";
    box.dataset.mode = "";
    fresh.hidden = true;
    hideDuplicates();
    input.closest(".typeahead-box").hidden = false;
    results = [];
    show(false);
  };
  input.addEventListener("input", () => {
    hidden.value = "";
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  input.addEventListener("click", () => {
    if (list.hidden) search();
  });
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
    hideDuplicates();
    input.closest(".typeahead-box").hidden = false;
    input.focus();
  });
}
