// Runs the fleet rehearsal (tests/system/lib/rehearsal.mjs) with the ALB's timing, prints it and
// puts the printout last in bench/RESULTS.md, under its own heading. Started by bench/fleet.sh.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { albTiming } from '../tests/system/lib/fleet.mjs';
import { printout, rehearse } from '../tests/system/lib/rehearsal.mjs';

const seconds = (name, fallback) => 1000 * Number(process.env[name] ?? fallback);
const phaseMs = seconds('FLEET_PHASE_SECONDS', 10);
const downMs = seconds('FLEET_DOWN_SECONDS', 10);
const load = { readers: 4, creators: 2, signers: 1, pauseMs: 0 };

const started = Date.now();
const result = await rehearse({
  timing: albTiming, env: { BCRYPT_COST: '12' }, phaseMs, downMs, load, log: (line) => console.error(line),
});
const text = printout(result);
console.log(text);

const heading = '## Fleet rehearsal';
const file = new URL('RESULTS.md', import.meta.url);
const kept = readFileSync(file, 'utf8').split(`\n${heading}\n`)[0].trimEnd();
const section = [
  heading, '',
  `Measured by \`make bench-fleet\` (bench/fleet.sh) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ` +
    `in ${Math.round((Date.now() - started) / 1000)} s: three instances (bcrypt cost 12) on one PostgreSQL 15 whose password ` +
    'is in the Secrets Manager fake, images in the S3 fake, behind HAProxy set up like the ALB and its target group ' +
    `(health checks on /health every ${albTiming.checkIntervalMs / 1000} s, ${albTiming.checkTimeoutMs / 1000} s time-out, ` +
    `healthy after ${albTiming.healthyThreshold}, unhealthy after ${albTiming.unhealthyThreshold}; 60 s idle time-out). ` +
    `Load: ${load.readers} readers, ${load.creators} creators (a PNG each), ${load.signers} signer, back to back; ` +
    `${phaseMs / 1000} s of load around each event, PostgreSQL down for ${downMs / 1000} s. A failure is any answer other than ` +
    'the expected status, or none; no request is retried by the clients. HAProxy, like the ALB for a target it has ' +
    'already deregistered, sends nothing to an instance it knows is gone; a connection an instance refuses (it never ' +
    'received the request) is tried on another one, a request an instance received is never retried. A request cut ' +
    'by a SIGKILL shows as "no answer": the client sees its connection to HAProxy closed ' +
    'instead of an answer.', '',
  '```', text, '```', '',
].join('\n');
writeFileSync(file, `${kept}\n\n${section}`);
process.exit(result.problems.length ? 1 : 0);
