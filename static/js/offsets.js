// Offsets and selections in the article's text, without the DOM.
//
// The server counts offsets in Unicode code points (Python string indices); the
// browser counts UTF-16 code units. Only offsetConverter() translates between them.

export const CONTEXT = 32; // code points of prefix and suffix kept with a quote, as on the server

/**
 * Return converters between UTF-16 offsets (what JavaScript strings, the DOM and
 * Range count) and code point offsets (what the server stores) in `text`.
 *
 * A character outside the Basic Multilingual Plane, such as 😀 or each of the two
 * regional letters of the flag 🇸🇾, is one code point but two UTF-16 units (a
 * surrogate pair); everything else is one of each. The text is walked once and
 * both directions are read from tables. A unit offset that falls between the two
 * halves of a pair maps to that pair's code point: callers snap selections to
 * whole characters (snapToCharacters) before converting, so it never matters.
 */
export function offsetConverter(text) {
  const unitToCodePoint = new Uint32Array(text.length + 1);
  const codePointToUnit = new Uint32Array(text.length + 1);
  let codePoint = 0;
  for (let unit = 0; unit < text.length; unit++, codePoint++) {
    unitToCodePoint[unit] = codePoint;
    codePointToUnit[codePoint] = unit;
    const high = text.charCodeAt(unit);
    const low = text.charCodeAt(unit + 1);
    if (high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
      unit++; // the pair's second half belongs to the same code point
      unitToCodePoint[unit] = codePoint;
    }
  }
  unitToCodePoint[text.length] = codePoint;
  codePointToUnit[codePoint] = text.length;
  return {
    length: codePoint,
    toCodePoints: (unit) => unitToCodePoint[unit],
    toUnits: (cp) => codePointToUnit[cp],
  };
}

const defaultSegmenter =
  typeof Intl !== "undefined" && "Segmenter" in Intl ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

/**
 * Widen [start, end) (UTF-16 units) to whole user-perceived characters: an emoji
 * with its modifiers, a flag, a family joined by zero-width joiners, a letter with
 * its combining accents. A selection never cuts one in half. Without
 * Intl.Segmenter (pass null), only surrogate pairs are kept whole.
 */
export function snapToCharacters(text, start, end, segmenter = defaultSegmenter) {
  if (segmenter) {
    const segments = segmenter.segment(text);
    if (start > 0 && start < text.length) start = segments.containing(start).index;
    if (end > 0 && end < text.length) {
      const segment = segments.containing(end);
      if (segment.index !== end) end = segment.index + segment.segment.length;
    }
    return [start, end];
  }
  const isLow = (i) => /[\udc00-\udfff]/.test(text[i] || "");
  if (isLow(start)) start -= 1;
  if (isLow(end)) end += 1;
  return [start, end];
}

/**
 * Return the span [start, end) (UTF-16 units) a selection makes into a claim: its
 * outer white space left out, widened to whole characters; null if nothing is left.
 */
export function claimSpan(text, start, end, segmenter = defaultSegmenter) {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  [start, end] = snapToCharacters(text, start, end, segmenter);
  return end > start ? { start, end } : null;
}

/** Return what the server is sent for a span of units: code point offsets, the quote and its context. */
export function spanFields(text, conv, { start, end }) {
  const from = conv.toCodePoints(start);
  const to = conv.toCodePoints(end);
  return {
    start: from,
    end: to,
    quote: text.slice(start, end),
    prefix: text.slice(conv.toUnits(Math.max(0, from - CONTEXT)), start),
    suffix: text.slice(end, conv.toUnits(Math.min(conv.length, to + CONTEXT))),
  };
}
