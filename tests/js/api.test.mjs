// The API client: what it sends, and every refusal mapped to the form's fields.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  SPEAKER_FIELDS,
  apiClient,
  claimEditBody,
  describeDuplicate,
  describeFailure,
  newClaimBody,
  sourceBody,
  speakerBody,
  submissionKeys,
} from "../../static/js/api.js";

function fakeFetch(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, ...init });
    if (answer instanceof Error) throw answer;
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
  };
  return { fetch, calls };
}

test("a write sends JSON with the CSRF token and the session's cookie", async () => {
  const { fetch, calls } = fakeFetch({ status: 201, body: '{"id": 7}' });
  const api = apiClient({ csrfToken: "tok", fetch });
  const answer = await api.post("/api/claims/", { article: 1 });
  assert.deepEqual(answer, { ok: true, status: 201, data: { id: 7 } });
  assert.equal(calls[0].method, "POST");
  assert.equal(calls[0].headers["X-CSRFToken"], "tok");
  assert.equal(calls[0].headers["Content-Type"], "application/json");
  assert.equal(calls[0].credentials, "same-origin");
  assert.equal(calls[0].body, '{"article":1}');
});

test("a read sends no token and puts its parameters in the query", async () => {
  const { fetch, calls } = fakeFetch({ status: 200, body: '{"results": []}' });
  await apiClient({ csrfToken: "tok", fetch }).get("/api/speakers/", { search: "al ḥ", page_size: 50 });
  assert.equal(calls[0].url, "/api/speakers/?search=al+%E1%B8%A5&page_size=50");
  assert.equal(calls[0].headers["X-CSRFToken"], undefined);
});

test("a deletion's empty answer and a network failure resolve without throwing", async () => {
  const deleted = await apiClient({ fetch: fakeFetch({ status: 204 }).fetch }).delete("/api/claims/1/");
  assert.deepEqual(deleted, { ok: true, status: 204, data: null });
  const offline = await apiClient({ fetch: fakeFetch(new TypeError("down")).fetch }).post("/api/claims/");
  assert.deepEqual(offline, { ok: false, status: 0, data: null });
  assert.match(describeFailure(offline).general[0], /Could not reach the server/);
});

test("a 400 puts each field's messages on its field and the rest above the form", () => {
  const failure = describeFailure({
    status: 400,
    data: { quote: ["The text at offsets 3–9 is …"], cue_start: ["A whole number."], non_field_errors: ["Not now."] },
  });
  assert.deepEqual(failure.fields, { quote: ["The text at offsets 3–9 is …"], cue_start: ["A whole number."] });
  assert.deepEqual(failure.general, ["Not now."]);
  assert.equal(failure.currentVersion, null);
});

test("a new speaker's errors land on the form's prefixed fields, nested ones flattened", () => {
  const failure = describeFailure(
    { status: 400, data: { name: ["A speaker named “X” already exists."], aliases: { 0: ["Too long."] } } },
    { rename: SPEAKER_FIELDS },
  );
  assert.deepEqual(failure.fields, { "speaker-name": ["A speaker named “X” already exists."], aliases: ["Too long."] });
});

test("a 400 that names no field (a body that is not JSON) goes above the form", () => {
  const failure = describeFailure({ status: 400, data: { detail: "JSON parse error - x" } });
  assert.deepEqual(failure, { fields: {}, general: ["JSON parse error - x"], currentVersion: null, duplicates: null });
});

for (const status of [409, 412]) {
  test(`a stale edit (${status}) gives the current version and says to save again`, () => {
    const failure = describeFailure({
      status,
      data: { version: ["The claim has changed since you loaded it (it is now at version 4); reload it."], current_version: 4 },
    });
    assert.equal(failure.currentVersion, 4);
    assert.match(failure.general.join(" "), /changed since you loaded it.*save again/);
  });
}

test("401, 403, 404 and server errors each say what happened", () => {
  assert.match(describeFailure({ status: 401, data: { detail: "Authentication credentials were not provided." } }).general[0], /session has ended/);
  assert.equal(
    describeFailure({ status: 403, data: { detail: "You may only edit your own claims." } }).general[0],
    "You may only edit your own claims.",
  );
  assert.match(describeFailure({ status: 403, data: { detail: "CSRF Failed: CSRF token missing." } }).general[0], /security token/);
  assert.match(describeFailure({ status: 404, data: { detail: "No Claim matches the given query." } }).general[0], /no longer exists/);
  assert.match(describeFailure({ status: 502, data: null }).general[0], /error 502/);
});

test("the claim's bodies carry numbers and nulls, not the form's strings", () => {
  const values = {
    restatement: "About 2,250.",
    kind: "quantity",
    speaker: "",
    attribution: "author",
    cue: "said",
    cue_start: "",
    cue_end: "",
    note: "",
    version: "3",
    "speaker-name": "ignored",
  };
  const span = { start: 4, end: 9, quote: "2250 ", prefix: "some", suffix: "" };
  assert.deepEqual(newClaimBody(1, span, values, { submit: true }), {
    article: 1,
    ...span,
    restatement: "About 2,250.",
    kind: "quantity",
    speaker: null,
    attribution: "author",
    cue: "said",
    cue_start: null,
    cue_end: null,
    note: "",
    submit: true,
  });
  assert.deepEqual(claimEditBody({ ...values, speaker: "12", cue_start: "0", cue_end: "4" }), {
    restatement: "About 2,250.",
    kind: "quantity",
    speaker: 12,
    attribution: "author",
    cue: "said",
    cue_start: 0,
    cue_end: 4,
    note: "",
    version: 3,
  });
  assert.equal(sourceBody({ url: "https://x.org", published_on: "" }).published_on, null);
  assert.deepEqual(speakerBody({ "speaker-name": "Talal Barazi", "speaker-kind": "person", "speaker-side": "government" }), {
    name: "Talal Barazi",
    kind: "person",
    side: "government",
  });
});

// Idempotency keys -------------------------------------------------------------------

function sequentialKeys() {
  let n = 0;
  return submissionKeys({ newKey: () => `key-${++n}` });
}

test("a POST given a key sends it in Idempotency-Key; one without sends none", async () => {
  const { fetch, calls } = fakeFetch({ status: 201, body: "{}" });
  const api = apiClient({ csrfToken: "tok", fetch });
  await api.post("/api/claims/", { article: 1 }, { key: "k-1" });
  await api.post("/api/claims/", { article: 1 });
  assert.equal(calls[0].headers["Idempotency-Key"], "k-1");
  assert.equal(calls[1].headers["Idempotency-Key"], undefined);
});

test("a keyed POST that gets no answer is sent once more with the same key", async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push(init);
    if (calls.length === 1) throw new TypeError("connection reset");
    return new Response('{"id": 7}', { status: 201 });
  };
  const answer = await apiClient({ fetch }).post("/api/claims/", { article: 1 }, { key: "k-1" });
  assert.deepEqual(answer, { ok: true, status: 201, data: { id: 7 } });
  assert.deepEqual(
    calls.map((c) => c.headers["Idempotency-Key"]),
    ["k-1", "k-1"],
  );
});

test("an unkeyed POST, or a keyed one that timed out, is not sent again", async () => {
  const network = fakeFetch(new TypeError("down"));
  await apiClient({ fetch: network.fetch }).post("/api/claims/", {});
  assert.equal(network.calls.length, 1);
  const slow = fakeFetch(new DOMException("too slow", "TimeoutError"));
  const answer = await apiClient({ fetch: slow.fetch }).post("/api/claims/", {}, { key: "k" });
  assert.equal(slow.calls.length, 1);
  assert.equal(answer.status, 0);
});

test("keys are random UUIDs by default, fresh for each submission once answered", () => {
  const keys = submissionKeys();
  const form = {};
  const first = keys.take(form, "/api/claims/", { quote: "a" });
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  keys.settle(form, first, { status: 201 });
  assert.notEqual(keys.take(form, "/api/claims/", { quote: "a" }), first);
});

test("a double click sends one key twice, so the server makes one row", async () => {
  const keys = sequentialKeys();
  const form = {};
  const { fetch, calls } = fakeFetch({ status: 201, body: "{}" });
  const api = apiClient({ fetch });
  const submit = async () => {
    const key = keys.take(form, "/api/claims/", { quote: "a" });
    const answer = await api.post("/api/claims/", { quote: "a" }, { key });
    keys.settle(form, key, answer);
  };
  await Promise.all([submit(), submit()]);
  assert.deepEqual(
    calls.map((c) => c.headers["Idempotency-Key"]),
    ["key-1", "key-1"],
  );
});

test("Save again after no answer reuses the key; a changed form or another answer does not", () => {
  const keys = sequentialKeys();
  const form = {};
  const key = keys.take(form, "/api/claims/", { quote: "a" });
  keys.settle(form, key, { status: 0 });
  assert.equal(keys.take(form, "/api/claims/", { quote: "a" }), "key-1");
  assert.equal(keys.take(form, "/api/claims/", { quote: "b" }), "key-2");
  keys.settle(form, "key-2", { status: 400 });
  assert.equal(keys.take(form, "/api/claims/", { quote: "b" }), "key-3");
  assert.equal(keys.take({}, "/api/claims/", { quote: "b" }), "key-4", "another form, another key");
});

test("a late answer to an old key leaves the newer submission's key alone", () => {
  const keys = sequentialKeys();
  const form = {};
  keys.take(form, "/api/claims/", { quote: "a" });
  const newer = keys.take(form, "/api/claims/", { quote: "b" });
  keys.settle(form, "key-1", { status: 201 });
  assert.equal(keys.take(form, "/api/claims/", { quote: "b" }), newer);
});

test("a new speaker close to the register's names gives the candidates apart from the messages", () => {
  const candidates = [{ id: 4, name: "İnci Sample", matched_name: "İnci Sample", score: 100 }];
  const failure = describeFailure(
    { status: 400, data: { name: ["“inci sample” may be a speaker already in the register"], possible_duplicates: candidates } },
    { rename: SPEAKER_FIELDS },
  );
  assert.deepEqual(failure.duplicates, candidates);
  assert.deepEqual(failure.fields, { "speaker-name": ["“inci sample” may be a speaker already in the register"] });
  assert.deepEqual(failure.general, []);
});

test("other refusals give no candidates", () => {
  assert.equal(describeFailure({ status: 400, data: { name: ["Too long."] } }).duplicates, null);
});

test("a confirmed new speaker says so in its body; an unconfirmed one does not", () => {
  const values = { "speaker-name": "inci sample", "speaker-kind": "person" };
  assert.equal("confirm_new" in speakerBody(values), false);
  assert.equal(speakerBody({ ...values, "speaker-confirm_new": "on" }).confirm_new, true);
});

test("a candidate is described with the name that matched and its score", () => {
  assert.equal(describeDuplicate({ name: "Vitaly Churkin", matched_name: "Vitaly Churkin", score: 100 }), "(100% alike)");
  assert.equal(describeDuplicate({ name: "Syrian Observatory", matched_name: "SOHR", score: 91.4 }), "(as “SOHR”, 91% alike)");
});
