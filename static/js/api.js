// The page's one way to /api/: JSON in and out, the login session's cookie, the CSRF
// token in X-CSRFToken, and every refusal turned into messages for a form's fields.
// Nothing here touches the DOM.

export const TIMEOUT_MS = 20000;

const GONE = "This no longer exists: someone may have deleted it. Reload the page.";
const OFFLINE =
  "Could not reach the server, so nothing was saved. Check your connection and try again: what you entered is still here.";
const SESSION_ENDED =
  "Your session has ended: log in again in another tab, then retry. What you entered is still here.";
const TOKEN_EXPIRED =
  "The server refused this (403): your session or its security token may have expired. Copy what you typed, then reload the page.";
const STALE_HINT =
  "Your changes are still in the form: check the claim, then save again to apply them to the new version.";

/**
 * Return a client for /api/ that sends `csrfToken` with every write.
 *
 * Each call resolves to {ok, status, data}: `data` is the parsed JSON body, or null
 * (204, or a body that is not JSON). A request that gets no answer (the network,
 * the timeout) resolves to status 0; none rejects. A POST given an Idempotency-Key
 * (`post(url, body, {key})`) is sent once more, with the same key, when the network
 * fails: the server writes once however many of them reach it.
 */
export function apiClient({ csrfToken, fetch = globalThis.fetch, timeoutMs = TIMEOUT_MS } = {}) {
  async function request(method, url, body, { key } = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key !== undefined) headers["Idempotency-Key"] = key;
    let response;
    for (let tries = key === undefined ? 1 : 2; !response; tries -= 1) {
      try {
        response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: "same-origin",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // After a timeout the server may still be at work: the person decides to retry.
        if (tries <= 1 || error?.name === "TimeoutError") return { ok: false, status: 0, data: null };
      }
    }
    const text = await response.text().catch(() => "");
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    return { ok: response.ok, status: response.status, data };
  }
  return {
    get: (url, params) => request("GET", params ? `${url}?${new URLSearchParams(params)}` : url),
    post: (url, body = {}, options = {}) => request("POST", url, body, options),
    patch: (url, body) => request("PATCH", url, body),
    delete: (url) => request("DELETE", url),
  };
}

/**
 * Idempotency keys for the page's forms: each submission gets a fresh key (a random
 * UUID), except one that repeats the request of the form's last submission while it
 * has no answer (a double click, or Save again after the connection dropped): that
 * one reuses its key, so the server writes once and gives both the same answer.
 */
export function submissionKeys({ newKey = () => globalThis.crypto.randomUUID() } = {}) {
  const unanswered = new WeakMap(); // form → {request, key}
  return {
    /** The key for sending `body` to `url` from `form`. */
    take(form, url, body) {
      const request = JSON.stringify([url, body]);
      const last = unanswered.get(form);
      if (last?.request === request) return last.key;
      const key = newKey();
      unanswered.set(form, { request, key });
      return key;
    },
    /** Note the answer to the request sent with `key`: any answer but none at all retires it. */
    settle(form, key, answer) {
      if (answer.status !== 0 && unanswered.get(form)?.key === key) unanswered.delete(form);
    },
  };
}

// Errors --------------------------------------------------------------------------

const messagesOf = (value) => {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(messagesOf);
  if (typeof value === "object") return Object.values(value).flatMap(messagesOf);
  return [String(value)];
};

/**
 * Turn a refused answer into what a form shows: {fields, general, currentVersion, duplicates}.
 *
 * `fields` maps a form field's name to its messages: a 400's body names the API's
 * fields ({field: [messages]}); `rename` maps an API name to the form's where they
 * differ (the new speaker's "name" is the form's "speaker-name"). `non_field_errors`,
 * `detail` and every other answer (401, 403, 404, 409, 412, 5xx, no answer at all)
 * go to `general`. A stale edit (409 or 412) gives `currentVersion`, the version to
 * base the next try on. A new speaker whose name is close to speakers in the register
 * gives `duplicates`, the 400's `possible_duplicates` ({id, name, matched_name, score}).
 */
export function describeFailure({ status, data }, { rename = {} } = {}) {
  const result = { fields: {}, general: [], currentVersion: null, duplicates: null };
  const body = data && typeof data === "object" && !Array.isArray(data) ? data : null;
  const detail = typeof body?.detail === "string" ? body.detail : "";
  if (status === 0) {
    result.general.push(OFFLINE);
  } else if ((status === 409 || status === 412) && body && "current_version" in body) {
    result.currentVersion = body.current_version;
    result.general.push(...messagesOf(body.version), STALE_HINT);
  } else if (status === 400 && body && !detail) {
    for (const [key, value] of Object.entries(body)) {
      if (key === "possible_duplicates") {
        result.duplicates = Array.isArray(value) ? value : [];
        continue;
      }
      const messages = messagesOf(value);
      if (key === "non_field_errors") result.general.push(...messages);
      else (result.fields[rename[key] ?? key] ||= []).push(...messages);
    }
  } else if (status === 401) {
    result.general.push(SESSION_ENDED);
  } else if (status === 403 && detail.startsWith("CSRF Failed")) {
    result.general.push(TOKEN_EXPIRED);
  } else if (status === 404) {
    result.general.push(GONE);
  } else if (detail) {
    result.general.push(detail);
  } else {
    result.general.push(
      `The server could not save this (error ${status}). What you entered is still here; try again in a moment.`,
    );
  }
  return result;
}

// What the page sends -------------------------------------------------------------

const integerOrNull = (value) => (value === "" || value === null || value === undefined ? null : Number(value));

/**
 * Return the JSON body of a claim's fields from a form's string values: offsets and
 * the speaker as numbers or null; a typed cue without a span picked in the text has
 * null offsets.
 */
export function claimFields(values) {
  const body = {
    restatement: values.restatement ?? "",
    kind: values.kind,
    speaker: integerOrNull(values.speaker),
    attribution: values.attribution,
    cue: values.cue ?? "",
    cue_start: integerOrNull(values.cue_start),
    cue_end: integerOrNull(values.cue_end),
    note: values.note ?? "",
  };
  for (const name of ["kind", "attribution"]) if (body[name] === undefined || body[name] === "") delete body[name];
  return body;
}

/** The body of POST /api/claims/: the span (code points, quote and context) and the claim's fields. */
export function newClaimBody(article, span, values, { submit = false } = {}) {
  return { article, ...span, ...claimFields(values), submit };
}

/** The body of PATCH /api/claims/{id}/: the fields and the version they were edited on. */
export function claimEditBody(values) {
  return { ...claimFields(values), version: integerOrNull(values.version) };
}

/** The body of POST /api/claims/{id}/sources/: an empty date is no date. */
export function sourceBody(values) {
  const body = { ...values };
  body.published_on = values.published_on || null;
  return body;
}

/** The body of POST /api/speakers/ from the new speaker's fields (named speaker-name, …). */
export function speakerBody(values) {
  const body = { name: values["speaker-name"] ?? "", kind: values["speaker-kind"] ?? "", side: values["speaker-side"] || undefined };
  if (values["speaker-confirm_new"]) body.confirm_new = true;
  return body;
}

/** How the API's names for a new speaker's fields are named in the form. */
export const SPEAKER_FIELDS = {
  name: "speaker-name",
  kind: "speaker-kind",
  side: "speaker-side",
  confirm_new: "speaker-confirm_new",
};

/** How a possible duplicate is described beside its "Use …" button, which names it. */
export function describeDuplicate({ name, matched_name: matched, score }) {
  const also = matched && matched !== name ? `as “${matched}”, ` : "";
  return `(${also}${Math.round(score)}% alike)`;
}
