// The fleet rehearsal in short: three instances behind HAProxy set up like the ALB (health
// checks every 500 ms instead of 30 s), under a steady mixed load. A rolling replacement with the
// database password rotated meanwhile fails no request; a SIGKILL fails only what was in flight
// on that instance; a sign-out holds on every instance at once; a PostgreSQL restart causes
// errors only while it is down. Every creation answered 201 is there with its photo, once.
// bench/fleet.sh runs the same scenarios with the ALB's own timing and longer phases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printout, rehearse } from './lib/rehearsal.mjs';
import { albTiming } from './lib/fleet.mjs';

test('the fleet rehearsal: rolling replacement with rotation, SIGKILL, sign-out, PostgreSQL restart', async () => {
  const result = await rehearse({
    timing: { ...albTiming, checkIntervalMs: 500 },
    phaseMs: 1500,
    downMs: 2000,
    load: { readers: 3, creators: 2, signers: 1, pauseMs: 5 },
  });
  const report = printout(result);
  assert.deepEqual(result.problems, [], report);
  const [rolling, killed, , restart] = result.scenarios;
  assert.equal(rolling.replaced, 3);
  assert.equal(rolling.failures, 0, report);
  assert.ok(rolling.requests >= 100 && killed.requests >= 50, `a steady load:\n${report}`);
  assert.ok(restart.failures > 0, `requests failed while PostgreSQL was down:\n${report}`);
  assert.ok(result.writes.acknowledged >= 20, `creations under load:\n${report}`);
  assert.deepEqual([result.writes.lost, result.writes.duplicated, result.writes.withoutPhoto], [0, 0, 0], report);
});
