// What the import page sends, from what the reviewer kept: no DOM here (tested with node --test).

export const PARAGRAPH_BREAK = "\n\n";

/**
 * Return the text to store from the preview's paragraphs: the ticked ones, as edited,
 * without blank lines at their ends, one blank line between them. Nothing else changes.
 */
export function keptText(paragraphs) {
  return paragraphs
    .filter((p) => p.keep)
    .map((p) => p.text.replace(/\r\n?/g, "\n").replace(/^\n+|\n+$/g, ""))
    .filter((text) => text.trim() !== "")
    .join(PARAGRAPH_BREAK);
}

/** Return the body of the dry run for the source the reviewer chose. */
export function previewBody(source, values) {
  if (source === "url") return { url: values.url.trim(), dry_run: true };
  if (source === "html") {
    const body = { html: values.html, dry_run: true };
    if (values.html_url.trim()) body.url = values.html_url.trim();
    return body;
  }
  return { text: values.text, dry_run: true };
}

/** Return the body that imports the previewed article as the reviewer left it. */
export function importBody(paragraphs, fields) {
  return {
    text: keptText(paragraphs),
    url: fields.url.trim(),
    title: fields.title,
    byline: fields.byline,
    outlet: fields.outlet,
    published_on: fields.published_on || null,
    language: fields.language.trim(),
  };
}

/** Return the address of an article's page from the page's pattern, whose 0 stands for the id. */
export function articleAddress(pattern, id) {
  return pattern.replace(/\/0\/$/, `/${id}/`);
}
