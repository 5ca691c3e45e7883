import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { INFRA_DIR, dummyPackage } from './support.ts';

/** `npx cdk synth` as docs/deploy.md runs it: offline, no AWS credentials. */
function cdkSynth(...args: string[]) {
  return cdkSynthIn({}, ...args);
}

/** The same with more of the environment, such as the region the CLI targets. */
function cdkSynthIn(extraEnv: NodeJS.ProcessEnv, ...args: string[]) {
  const output = mkdtempSync(path.join(tmpdir(), 'hrapp-cli-out-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CDK_DISABLE_CLI_TELEMETRY: 'true', ...extraEnv };
  const result = spawnSync(path.join(INFRA_DIR, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '-q', '-o', output, ...args], {
    cwd: INFRA_DIR,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...result, output };
}

describe('cdk synth from the command line', () => {
  it('synthesizes a team and the account stack offline without credentials', () => {
    const result = cdkSynth('-c', 'deployment_id=cli01', '-c', 'owner=trainer', '-c', `app_package=${dummyPackage}`);
    assert.equal(result.status, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(path.join(result.output, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(stacks, ['hrapp-cli01-compute', 'hrapp-cli01-data', 'hrapp-cli01-logs', 'hrapp-cli01-network', 'hrapp-cli01-secrets', 'hrapp-cli01-storage', 'hrapp-security']);
  });

  it('fails on a bad parameter with one line that shows the value', () => {
    const result = cdkSynth('-c', 'deployment_id=Team_01', '-c', 'owner=trainer', '-c', `app_package=${dummyPackage}`);
    assert.notEqual(result.status, 0);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    assert.deepEqual(errorLines.length, 1, result.stderr);
    assert.match(errorLines[0], /deployment_id .* got 'Team_01'/);
    assert.doesNotMatch(result.stderr, /    at /, 'no stack trace');
  });

  it('refuses production without a certificate in one line that says why', () => {
    const result = cdkSynth('-c', 'deployment_id=cli02', '-c', 'owner=trainer', '-c', 'environment=production', '-c', `app_package=${dummyPackage}`);
    assert.notEqual(result.status, 0);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    assert.deepEqual(errorLines, ['error: environment=production needs certificate_arn (an ACM certificate): production never sends passwords or session cookies over plain HTTP']);
  });

  it("refuses a certificate of another region than the CLI's, in one line that shows it", () => {
    const certificate = 'arn:aws:acm:eu-west-1:111122223333:certificate/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9';
    const args = ['-c', 'deployment_id=cli03', '-c', 'owner=trainer', '-c', 'environment=production', '-c', `certificate_arn=${certificate}`, '-c', `app_package=${dummyPackage}`];
    const result = cdkSynthIn({ AWS_REGION: 'eu-north-1' }, ...args);
    assert.notEqual(result.status, 0);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    assert.deepEqual(errorLines, [`error: certificate_arn must be in the deploy region eu-north-1 (a load balancer takes certificates from its own region only), got '${certificate}'`]);
    assert.equal(cdkSynthIn({ AWS_REGION: 'eu-west-1' }, ...args).status, 0);
  });
});
