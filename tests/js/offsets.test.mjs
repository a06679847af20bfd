// Offsets: UTF-16 units (the browser's) against code points (the server's), and whole characters.
import assert from "node:assert/strict";
import { test } from "node:test";

import { claimSpan, offsetConverter, snapToCharacters, spanFields } from "../../static/js/offsets.js";

// A flag (2 code points, 4 units), a thumbs-up with a skin tone (2, 4), a family
// joined by zero-width joiners (5, 8), a precomposed é and a decomposed e + ◌́.
const TEXT =
  "Protesters waved the 🇸🇾 flag, 👍🏽 said the crowd, and the 👨‍👩‍👧 family at the " +
  "caf\u00e9 in Montre\u0301al agreed: some 2250 people left the city.";
const codePoints = [...TEXT];
const unitsBefore = (cp) => codePoints.slice(0, cp).join("").length;

test("it converts every code point offset to units and back, as Python counts them", () => {
  const conv = offsetConverter(TEXT);
  assert.equal(conv.length, codePoints.length);
  for (let cp = 0; cp <= codePoints.length; cp++) {
    assert.equal(conv.toUnits(cp), unitsBefore(cp));
    assert.equal(conv.toCodePoints(conv.toUnits(cp)), cp);
  }
});

test("a unit offset inside a surrogate pair maps to the pair's code point", () => {
  const conv = offsetConverter("a😀b");
  assert.deepEqual([0, 1, 2, 3, 4].map(conv.toCodePoints), [0, 1, 1, 2, 3]);
});

test("text without astral characters counts the same both ways", () => {
  const conv = offsetConverter("café");
  assert.deepEqual([0, 1, 2, 3, 4].map(conv.toUnits), [0, 1, 2, 3, 4]);
});

test("a selection cutting an emoji sequence or an accent widens to whole characters", () => {
  const family = TEXT.indexOf("👨‍👩‍👧");
  const accent = TEXT.indexOf("e\u0301al");
  assert.deepEqual(snapToCharacters(TEXT, family + 1, accent + 1), [family, accent + 2]);
  const flag = TEXT.indexOf("🇸🇾");
  assert.deepEqual(snapToCharacters(TEXT, flag + 3, flag + 3), [flag, flag + 4]);
});

test("without Intl.Segmenter it still never cuts a surrogate pair", () => {
  const text = "a😀b";
  assert.deepEqual(snapToCharacters(text, 2, 2, null), [1, 3]);
  assert.deepEqual(snapToCharacters(text, 0, 1, null), [0, 1]);
});

test("a claim's span leaves out white space at its ends, and nothing is no span", () => {
  assert.deepEqual(claimSpan("  some words \n", 0, 14), { start: 2, end: 12 });
  assert.equal(claimSpan("a   b", 1, 4), null);
});

test("a span's fields count code points and carry 32 code points of context", () => {
  const conv = offsetConverter(TEXT);
  const phrase = "some 2250 people";
  const units = TEXT.indexOf(phrase);
  const fields = spanFields(TEXT, conv, { start: units, end: units + phrase.length });
  const start = codePoints.length - [...TEXT.slice(units)].length;
  assert.equal(fields.start, start);
  assert.equal(fields.end, start + phrase.length);
  assert.equal(fields.quote, phrase);
  assert.equal(fields.prefix, codePoints.slice(start - 32, start).join(""));
  assert.equal(fields.suffix, codePoints.slice(start + phrase.length, start + phrase.length + 32).join(""));
});

test("the context stops at the ends of the text", () => {
  const conv = offsetConverter("😀 short");
  assert.deepEqual(spanFields("😀 short", conv, { start: 3, end: 8 }), {
    start: 2,
    end: 7,
    quote: "short",
    prefix: "😀 ",
    suffix: "",
  });
});
