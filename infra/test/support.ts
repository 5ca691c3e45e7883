import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildHrapp, type HrappStacks } from '../bin/app.ts';
import { DEPLOY_DIR } from '../lib/app-package.ts';

export const INFRA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(path.join(INFRA_DIR, 'cdk.json'), 'utf8')).context;

/** A tarball with the layout of `make package`'s, made once per test process. */
export const dummyPackage: string = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hrapp-infra-test-'));
  const top = path.join(dir, 'hrapp-0.0.0-test');
  mkdirSync(path.join(top, 'bin'), { recursive: true });
  mkdirSync(path.join(top, 'web'));
  writeFileSync(path.join(top, 'bin', 'hrapp'), '#!/bin/sh\n');
  chmodSync(path.join(top, 'bin', 'hrapp'), 0o755);
  writeFileSync(path.join(top, 'web', 'index.html'), '<!doctype html>\n');
  writeFileSync(path.join(top, 'VERSION'), '0.0.0-test\n');
  copyFileSync(path.join(DEPLOY_DIR, 'hrapp.service'), path.join(top, 'hrapp.service'));
  const tarball = path.join(dir, 'hrapp-0.0.0-test-linux-x86_64.tar.gz');
  execFileSync('tar', ['-czf', tarball, '-C', dir, 'hrapp-0.0.0-test']);
  return tarball;
})();

export const TEST_CERTIFICATE_ARN = certificateIn('eu-west-1');

/** An ACM certificate ARN of `region`. */
export function certificateIn(region: string): string {
  return `arn:aws:acm:${region}:111122223333:certificate/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9`;
}
/** Production mode needs a certificate; tests of production pass this. */
export const PRODUCTION = { environment: 'production', certificate_arn: TEST_CERTIFICATE_ARN } as const;

export interface Synthesized {
  readonly stacks: HrappStacks;
  readonly logs: Template;
  readonly network: Template;
  readonly storage: Template;
  readonly data: Template;
  readonly secrets: Template;
  readonly compute: Template;
  readonly security: Template;
}

/**
 * Synthesizes the whole app (cdk-nag included) as `cdk synth` would, with cdk.json's context plus
 * `context`, for `deployRegion` when given (the CLI's target region).
 */
export function synth(context: Record<string, unknown> = {}, deployRegion?: string): Synthesized {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, app_package: dummyPackage, owner: 'test-owner', ...context },
    outdir: mkdtempSync(path.join(tmpdir(), 'hrapp-cdk-out-')),
  });
  const stacks = buildHrapp(app, deployRegion);
  return {
    stacks,
    logs: Template.fromStack(stacks.logs),
    network: Template.fromStack(stacks.network),
    storage: Template.fromStack(stacks.storage),
    data: Template.fromStack(stacks.data),
    secrets: Template.fromStack(stacks.secrets),
    compute: Template.fromStack(stacks.compute),
    security: Template.fromStack(stacks.security),
  };
}

export type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/** The team's templates and the account stack's, by stack kind. */
export function templatesOf(synthesized: Synthesized): Record<string, Template> {
  const { logs, network, storage, data, secrets, compute, security } = synthesized;
  return { logs, network, storage, data, secrets, compute, security };
}

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The only resource of a type (that passes `filter`). */
export function only(template: Template, type: string, filter: (resource: Resource) => boolean = () => true): [string, Resource] {
  const found = resourcesOf(template, type).filter(([, resource]) => filter(resource));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** A random valid deployment id: 3-20 chars, a letter first, no trailing hyphen, no '--'. */
export function randomDeploymentId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const middle = `${letters}0123456789-`;
  const length = 3 + Math.floor(Math.random() * 18);
  let id = letters[Math.floor(Math.random() * letters.length)];
  while (id.length < length - 1) {
    const next = middle[Math.floor(Math.random() * middle.length)];
    if (!(next === '-' && id.endsWith('-'))) id += next;
  }
  return id + letters[Math.floor(Math.random() * letters.length)];
}

/** Renders CloudFormation values with intrinsics as comparable strings. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join('');
  if (value && typeof value === 'object') {
    const [fn, arg] = Object.entries(value)[0] as [string, any];
    if (fn === 'Fn::Join') return (arg[1] as unknown[]).map(flatten).join(arg[0]);
    if (fn === 'Ref') return `{${arg}}`;
    return `{${fn}:${JSON.stringify(arg)}}`;
  }
  return String(value);
}
