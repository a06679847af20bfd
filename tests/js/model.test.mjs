// The page's claims as data: highlight pieces, order, filters, counts, speakers found.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  byTextOrder,
  claimsByParagraph,
  exactSpeaker,
  isVisible,
  segment,
  speakerChoices,
  tally,
  upsertClaim,
} from "../../static/js/model.js";

const claim = (id, start, end, more = {}) => ({ id, start, end, status: "draft", kind: "other", speaker: null, ...more });
const ids = (pieces) => pieces.map((p) => [p.start, p.end, p.stack.map((c) => c.id)]);

test("a paragraph without claims is one piece", () => {
  assert.deepEqual(ids(segment(0, 10, [])), [[0, 10, []]]);
});

test("nested claims make pieces covered outermost first", () => {
  const outer = claim(1, 0, 10);
  const inner = claim(2, 3, 5);
  assert.deepEqual(ids(segment(0, 12, [outer, inner])), [
    [0, 3, [1]],
    [3, 5, [1, 2]],
    [5, 10, [1]],
    [10, 12, []],
  ]);
});

test("claims that overlap without nesting share the piece they both cover", () => {
  const a = claim(1, 2, 8);
  const b = claim(2, 5, 12);
  assert.deepEqual(ids(segment(0, 12, [a, b])), [
    [0, 2, []],
    [2, 5, [1]],
    [5, 8, [1, 2]],
    [8, 12, [2]],
  ]);
});

test("a claim across paragraphs is cut at each paragraph's edges", () => {
  const across = claim(1, 5, 25);
  const paragraphs = [{ start: 0, end: 10 }, { start: 12, end: 20 }, { start: 22, end: 30 }];
  const over = claimsByParagraph(paragraphs, [across]);
  assert.deepEqual(over.map((list) => list.map((c) => c.id)), [[1], [1], [1]]);
  assert.deepEqual(ids(segment(12, 20, over[1])), [[12, 20, [1]]]);
  assert.deepEqual(ids(segment(22, 30, over[2])), [[22, 25, [1]], [25, 30, []]]);
});

test("pieces never overlap and cover the paragraph whole, however claims pile up", () => {
  const claims = [];
  for (let i = 0; i < 60; i++) claims.push(claim(i + 1, (i * 7) % 50, ((i * 7) % 50) + 1 + (i % 9)));
  claims.sort(byTextOrder);
  const pieces = segment(0, 60, claims.filter((c) => c.start < 60));
  assert.equal(pieces[0].start, 0);
  assert.equal(pieces.at(-1).end, 60);
  for (let i = 1; i < pieces.length; i++) assert.equal(pieces[i].start, pieces[i - 1].end);
  for (const piece of pieces) {
    const covering = claims.filter((c) => c.start <= piece.start && c.end >= piece.end).map((c) => c.id);
    assert.deepEqual(piece.stack.map((c) => c.id).sort((a, b) => a - b), covering.sort((a, b) => a - b));
  }
});

test("text order is by start, the longest first, then by id", () => {
  const claims = [claim(3, 5, 6), claim(2, 0, 4), claim(1, 0, 9), claim(4, 5, 6)];
  assert.deepEqual(claims.sort(byTextOrder).map((c) => c.id), [1, 2, 3, 4]);
});

test("filters combine, and a claim without a speaker is the article's own voice", () => {
  const speakers = new Map([[7, { id: 7, name: "Opposition sources", side: "opposition" }]]);
  const reported = claim(1, 0, 4, { speaker: 7, kind: "quantity" });
  const own = claim(2, 5, 9);
  const none = { speaker: "", side: "", kind: "", status: "" };
  assert.ok(isVisible(reported, none, speakers));
  assert.ok(isVisible(own, { ...none, speaker: "none" }, speakers));
  assert.ok(!isVisible(reported, { ...none, speaker: "none" }, speakers));
  assert.ok(isVisible(own, { ...none, side: "author" }, speakers));
  assert.ok(!isVisible(reported, { ...none, side: "opposition", kind: "date" }, speakers));
  assert.deepEqual(tally([reported, own], speakers), {
    byStatus: { draft: 2 },
    bySide: { opposition: 1, author: 1 },
  });
  assert.deepEqual(speakerChoices([own, reported], speakers), [["7", "Opposition sources"], ["none", "Article's own voice"]]);
});

test("a claim from the API replaces its copy and keeps text order and its verdict count", () => {
  const claims = [claim(1, 0, 4, { verdict_count: 2 }), claim(2, 6, 9, { verdict_count: 0 })];
  const { old } = upsertClaim(claims, claim(1, 7, 8, { status: "in_review" }), { addedVerdicts: 1 });
  assert.equal(old.start, 0);
  assert.deepEqual(claims.map((c) => [c.id, c.status, c.verdict_count]), [[2, "draft", 0], [1, "in_review", 3]]);
  upsertClaim(claims, claim(1, 7, 8, { verdict_count: 5 }));
  assert.equal(claims[1].verdict_count, 5);
  upsertClaim(claims, claim(3, 0, 1));
  assert.deepEqual(claims.map((c) => [c.id, c.verdict_count]), [[3, 0], [2, 0], [1, 5]]);
});

test("a typed name or the alias the search matched picks its speaker, ignoring case and spaces", () => {
  const sohr = { id: 1, name: "Syrian Observatory for Human Rights", matched_alias: "SOHR" };
  const named = { id: 2, name: "Opposition sources", matched_alias: null };
  assert.equal(exactSpeaker([named, sohr], " sohr ").id, 1);
  assert.equal(exactSpeaker([named, sohr], "opposition  SOURCES").id, 2);
  assert.equal(exactSpeaker([named, sohr], "SOH"), null);
});
