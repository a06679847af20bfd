// The suggested claims' logic that needs no DOM: who says it, the form's values, the list.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formValues, stepIndex, unclaimed, whoSays } from "../../static/js/suggestions.js";

const attribution = (fields) => ({
  kind: "reported",
  cue: "said",
  cue_start: 40,
  cue_end: 44,
  speaker: null,
  speaker_text: "a security official",
  new_speaker: null,
  ...fields,
});

test("whoSays names the register's speaker, a new one, or the article's own voice", () => {
  assert.equal(whoSays(attribution({ speaker: { id: 4, name: "Security official" } })), "Security official");
  assert.equal(
    whoSays(attribution({ new_speaker: { name: "Vitaly Churkin", kind: "person" } })),
    "Vitaly Churkin (new speaker)",
  );
  assert.equal(whoSays(attribution({ kind: "author", speaker_text: null })), "Article's own voice");
  assert.equal(whoSays(attribution({})), "a security official");
});

test("formValues fills the claim form from a suggestion, with the register's speaker", () => {
  const values = formValues({ kind: "quantity", attribution: attribution({ speaker: { id: 4, name: "S" } }) });
  assert.deepEqual(values, {
    kind: "quantity",
    attribution: "reported",
    cue: "said",
    cue_start: 40,
    cue_end: 44,
    speakerId: 4,
    newSpeaker: null,
  });
});

test("formValues proposes a new speaker when the register has none", () => {
  const newSpeaker = { name: "Vitaly Churkin", kind: "person" };
  const values = formValues({ kind: "event", attribution: attribution({ kind: "direct", new_speaker: newSpeaker }) });
  assert.equal(values.speakerId, null);
  assert.deepEqual(values.newSpeaker, newSpeaker);
});

test("formValues leaves the speaker and the cue empty in the article's own voice", () => {
  const values = formValues({
    kind: "date",
    attribution: attribution({ kind: "author", cue: "", cue_start: null, cue_end: null, speaker_text: null }),
  });
  assert.deepEqual(
    [values.attribution, values.cue, values.cue_start, values.cue_end, values.speakerId, values.newSpeaker],
    ["author", "", "", "", null, null],
  );
});

test("unclaimed drops the suggestions a claim covers with the same span, keeping the order", () => {
  const suggestions = [
    { start: 0, end: 10 },
    { start: 12, end: 30 },
    { start: 40, end: 50 },
  ];
  const claims = [
    { start: 12, end: 30 },
    { start: 0, end: 9 },
  ];
  assert.deepEqual(unclaimed(suggestions, claims), [suggestions[0], suggestions[2]]);
});

test("stepIndex goes round the list both ways, starting from either end", () => {
  assert.equal(stepIndex(3, -1, 1), 0);
  assert.equal(stepIndex(3, -1, -1), 2);
  assert.equal(stepIndex(3, 2, 1), 0);
  assert.equal(stepIndex(3, 0, -1), 2);
  assert.equal(stepIndex(0, -1, 1), -1);
});
