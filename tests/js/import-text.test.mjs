import assert from "node:assert/strict";
import { test } from "node:test";

import { articleAddress, importBody, keptText, previewBody } from "../../static/js/import-text.js";

test("the kept text is the ticked paragraphs, one blank line apart, untouched", () => {
  const paragraphs = [
    { keep: true, text: "“Quoted,” she said 🤷\u200d♀️." },
    { keep: false, text: "READ MORE: elsewhere" },
    { keep: true, text: "\nمرحبا بالعالم\r\nsecond line\n\n" },
    { keep: true, text: "   " },
  ];
  assert.equal(keptText(paragraphs), "“Quoted,” she said 🤷\u200d♀️.\n\nمرحبا بالعالم\nsecond line");
});

test("nothing kept is an empty text", () => {
  assert.equal(keptText([{ keep: false, text: "a" }]), "");
});

test("the dry run sends the one source chosen", () => {
  const values = { url: " https://a.example/x ", html: "<p>x</p>", html_url: "", text: "t" };
  assert.deepEqual(previewBody("url", values), { url: "https://a.example/x", dry_run: true });
  assert.deepEqual(previewBody("html", values), { html: "<p>x</p>", dry_run: true });
  assert.deepEqual(previewBody("html", { ...values, html_url: "https://b.example/" }), {
    html: "<p>x</p>",
    url: "https://b.example/",
    dry_run: true,
  });
  assert.deepEqual(previewBody("text", values), { text: "t", dry_run: true });
});

test("the import sends the kept text and the fields, an empty date as null", () => {
  const body = importBody([{ keep: true, text: "Body." }], {
    url: "https://a.example/x ",
    title: "T",
    byline: "",
    outlet: "O",
    published_on: "",
    language: " ar ",
  });
  assert.deepEqual(body, {
    text: "Body.",
    url: "https://a.example/x",
    title: "T",
    byline: "",
    outlet: "O",
    published_on: null,
    language: "ar",
  });
});

test("the new article's page address", () => {
  assert.equal(articleAddress("/articles/0/", 42), "/articles/42/");
});
