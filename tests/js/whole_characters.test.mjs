// Whole characters: the page widens a selection exactly as far as the server asks a
// claim's span to reach (the cases are shared with tests/api/test_api_bad_input.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { offsetConverter, snapToCharacters } from "../../static/js/offsets.js";

const { text, cases } = JSON.parse(readFileSync(new URL("./whole_characters.json", import.meta.url), "utf8"));
const conv = offsetConverter(text);

for (const { name, start, end, whole } of cases) {
  test(`${name}: the page widens it to what the server names`, () => {
    const [from, to] = snapToCharacters(text, conv.toUnits(start), conv.toUnits(end));
    assert.deepEqual([conv.toCodePoints(from), conv.toCodePoints(to)], whole ?? [start, end]);
  });
}
