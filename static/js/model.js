// The page's claims and speakers as plain data: ordering, filtering, counting and
// the segmentation of highlights into pieces. Nothing here touches the DOM.

export const AUTHOR = "author"; // the article's own voice: no speaker, so no side

/** Text order: by start, the longest first (so it encloses), then by id. */
export const byTextOrder = (a, b) => a.start - b.start || b.end - a.end || a.id - b.id;

/** The side a claim is coloured by: its speaker's, or the article's own voice. */
export function sideOf(claim, speakers) {
  return claim.speaker ? speakers.get(claim.speaker)?.side || "unknown" : AUTHOR;
}

/** Whether the claim passes every filter set (each "" lets everything through). */
export function isVisible(claim, filters, speakers) {
  return (
    (!filters.speaker || String(claim.speaker ?? "none") === filters.speaker) &&
    (!filters.side || sideOf(claim, speakers) === filters.side) &&
    (!filters.kind || claim.kind === filters.kind) &&
    (!filters.status || claim.status === filters.status)
  );
}

/**
 * Return, for each paragraph ({start, end} in code points), the claims over it, in
 * text order. `claims` must be in text order: the first paragraph to look at then
 * only moves forward.
 */
export function claimsByParagraph(paragraphs, claims) {
  const over = paragraphs.map(() => []);
  let first = 0;
  for (const claim of claims) {
    while (first < paragraphs.length && paragraphs[first].end <= claim.start) first++;
    for (let p = first; p < paragraphs.length && paragraphs[p].start < claim.end; p++) over[p].push(claim);
  }
  return over;
}

/**
 * Cut [from, to) at every start and end of the claims over it, and return the
 * pieces in order, each with the claims covering it, outermost (earliest, longest)
 * first: [{start, end, stack}]. Pieces do not overlap and cover [from, to) whole.
 * A claim that overlaps another without containing it covers several pieces.
 * `over` must be in text order.
 */
export function segment(from, to, over) {
  const cuts = new Set([from, to]);
  for (const c of over) {
    cuts.add(Math.max(c.start, from));
    cuts.add(Math.min(c.end, to));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  let active = [];
  let next = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const at = points[i];
    active = active.filter((c) => c.end > at);
    while (next < over.length && Math.max(over[next].start, from) <= at) active.push(over[next++]);
    pieces.push({ start: at, end: points[i + 1], stack: active.slice() });
  }
  return pieces;
}

/**
 * Put a claim as the API returned it in the sorted list, in place of its old copy;
 * return the old copy (undefined for a new claim). A copy without `verdict_count`
 * keeps the old count, plus `addedVerdicts`.
 */
export function upsertClaim(claims, fresh, { addedVerdicts = 0 } = {}) {
  const index = claims.findIndex((c) => c.id === fresh.id);
  const old = index >= 0 ? claims[index] : undefined;
  const merged = { ...fresh, verdict_count: fresh.verdict_count ?? (old?.verdict_count ?? 0) + addedVerdicts };
  if (old) claims[index] = merged;
  else claims.push(merged);
  claims.sort(byTextOrder);
  return { old, claim: merged };
}

/** Count the claims by status and by side. */
export function tally(claims, speakers) {
  const byStatus = {};
  const bySide = {};
  for (const c of claims) {
    byStatus[c.status] = (byStatus[c.status] || 0) + 1;
    const side = sideOf(c, speakers);
    bySide[side] = (bySide[side] || 0) + 1;
  }
  return { byStatus, bySide };
}

/** The speaker filter's choices: [value, label] for the article's speakers by name, the article's voice last. */
export function speakerChoices(claims, speakers) {
  const used = new Map();
  for (const c of claims) {
    used.set(String(c.speaker ?? "none"), c.speaker ? speakers.get(c.speaker)?.name ?? c.speaker_name : null);
  }
  const choices = [...used].filter(([id]) => id !== "none").sort((a, b) => a[1].localeCompare(b[1]));
  if (used.has("none")) choices.push(["none", "Article's own voice"]);
  return choices;
}

const fold = (s) => s.trim().split(/\s+/).join(" ").normalize("NFC").toLocaleLowerCase();

/**
 * The speaker among a search's results (GET /api/speakers/?search=) whose name, or
 * the alias the search matched, is exactly what was typed, ignoring case and spaces.
 */
export function exactSpeaker(results, typed) {
  const want = fold(typed);
  return results.find((s) => fold(s.name) === want || (s.matched_alias && fold(s.matched_alias) === want)) || null;
}

export const clip = (s, n) => (s.length > n ? s.slice(0, n - 1).trimEnd() + "…" : s);
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
