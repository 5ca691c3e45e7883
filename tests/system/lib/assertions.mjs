// Assertions shared by the suites: the JSON error model of docs/api.md, and an instance's clean
// end (no 5xx answered, exit code 0).
import assert from 'node:assert/strict';

/**
 * The reply is the error `code` with `status`; when `fields` is given, the error's `fields`
 * name exactly those (in any order), each with a message.
 */
export function assertError(reply, status, code, fields) {
  assert.equal(reply.status, status, `expected ${status} ${code}, got ${reply}`);
  const body = reply.body ?? reply.json;
  assert.ok(body, `an error body in JSON, got ${reply}`);
  assert.equal(body.error, code, `expected error ${code}, got ${reply}`);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0, 'the error has a message');
  if (fields === undefined) return body;
  assert.ok(Array.isArray(body.fields), `expected fields ${fields}, got ${reply}`);
  assert.deepEqual(body.fields.map((f) => f.field).sort(), [...fields].sort(), `fields of ${reply}`);
  for (const f of body.fields) assert.ok(typeof f.message === 'string' && f.message.length > 0, 'each field has a message');
  return body;
}

/** Stops `app`, which must have answered no request with a 5xx and must exit with 0. */
export async function assertStopsCleanly(app) {
  assert.deepEqual(app.requestLogs.filter((entry) => entry.status >= 500), [], 'no request was answered with a 5xx');
  assert.equal(await app.stop(), 0);
}
