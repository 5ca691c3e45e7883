import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { INFRA_DIR, PRODUCTION, certificateIn, only, synth, templatesOf, type Synthesized } from './support.ts';

// Any commercial region: every resource type exists there, the access-log policy names who
// delivers there, and a certificate from elsewhere fails before anything is created.
const registry: { regions: string[]; missing: Record<string, string[]> } = JSON.parse(
  readFileSync(path.join(INFRA_DIR, 'test', 'data', 'cfn-types-missing-by-region.json'), 'utf8'),
);
const SYNTHESIZED_REGIONS = ['us-east-1', 'eu-north-1', 'me-central-1', 'ap-southeast-4'];

/** The types a synthesized app names that `region` lacks, as `stack: type`. */
function missingTypes(synthesized: Synthesized, region: string): string[] {
  return Object.entries(templatesOf(synthesized)).flatMap(([stack, template]) =>
    [...new Set(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((resource) => resource.Type))]
      .filter((type) => registry.missing[type]?.includes(region))
      .map((type) => `${stack}: ${type}`),
  );
}

/** Evaluates the intrinsic functions of a value as CloudFormation would in `region`. */
function evaluate(value: unknown, region: string, conditions: Record<string, unknown>): unknown {
  const condition = (name: string): boolean => evaluate(conditions[name], region, conditions) as boolean;
  if (Array.isArray(value)) return value.map((item) => evaluate(item, region, conditions)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const [[key, arg]] = Object.entries(value) as [[string, any]];
  switch (key) {
    case 'Ref':
      return { 'AWS::Region': region, 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::NoValue': NO_VALUE }[arg as string] ?? `{${arg}}`;
    case 'Fn::If':
      return evaluate(condition(arg[0]) ? arg[1] : arg[2], region, conditions);
    case 'Fn::Equals':
      return evaluate(arg[0], region, conditions) === evaluate(arg[1], region, conditions);
    case 'Fn::Or':
      return (arg as unknown[]).some((item) => evaluate(item, region, conditions));
    case 'Condition':
      return condition(arg);
    case 'Fn::Join':
      return (evaluate(arg[1], region, conditions) as unknown[]).join(arg[0]);
    case 'Fn::GetAtt':
      return `{${arg.join('.')}}`;
    default:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, region, conditions)]).filter(([, v]) => v !== NO_VALUE));
  }
}
const NO_VALUE = Symbol('AWS::NoValue');

describe('any commercial region', () => {
  const synthesized = SYNTHESIZED_REGIONS.flatMap((region) => [
    { region, mode: 'lab', app: synth({ deployment_id: 'anyregion', lab_hours: '08:00-17:00', lab_timezone: 'UTC' }, region) },
    { region, mode: 'production', app: synth({ deployment_id: 'anyregion', ...PRODUCTION, certificate_arn: certificateIn(region) }, region) },
  ]);

  it('knows every commercial region, and what some of them lack (the check can fail)', () => {
    assert.ok(registry.regions.length >= 34, `${registry.regions.length} regions`);
    for (const region of SYNTHESIZED_REGIONS) assert.ok(registry.regions.includes(region), region);
    assert.ok(registry.missing['AWS::Budgets::Budget'].includes('eu-north-1'), 'AWS::Budgets::Budget is missing from eu-north-1');
  });

  it('names only resource types that exist in every commercial region, in lab and production mode', () => {
    for (const { region, mode, app } of synthesized) {
      for (const target of registry.regions) assert.deepEqual(missingTypes(app, target), [], `synthesized for ${region} (${mode}), deployed to ${target}`);
    }
  });

  it('synthesizes the same templates for every region: one synth serves them all', () => {
    // Production names its certificate, and checks its region; all else is the same.
    const json = (app: Synthesized, region: string) =>
      JSON.stringify(
        Object.values(templatesOf(app)).map((template) => {
          const { Rules: { CertificateInDeployRegion: _, ...rules } = {}, ...rest } = template.toJSON();
          return { ...rest, Rules: rules };
        }),
      ).replaceAll(certificateIn(region), 'CERTIFICATE');
    for (const mode of ['lab', 'production']) {
      const [first, ...others] = synthesized.filter((entry) => entry.mode === mode);
      for (const { app, region } of others) assert.ok(json(app, region) === json(first.app, first.region), `${mode}: ${region} differs from ${first.region}`);
    }
  });

  it('lets load balancers deliver access logs in every region: their ELB account where there is one, the log delivery service always', () => {
    const { network } = synthesized.find((entry) => entry.mode === 'production')!.app;
    const [, policy] = only(network, 'AWS::S3::BucketPolicy');
    const statement = policy.Properties!.PolicyDocument.Statement.find((s: { Sid?: string }) => s.Sid === 'LoadBalancerAccessLogs');
    for (const region of registry.regions) {
      const principal = evaluate(statement.Principal, region, network.toJSON().Conditions) as Record<string, unknown>;
      const account = RegionInfo.get(region).elbv2Account;
      const expected = account ? { AWS: `arn:aws:iam::${account}:root`, Service: 'logdelivery.elasticloadbalancing.amazonaws.com' } : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' };
      assert.deepEqual(principal, expected, region);
    }
    assert.equal(RegionInfo.get('me-central-1').elbv2Account, undefined, 'a region opened after August 2022 has no ELB account');
  });

  it("checks at deploy that the certificate is the deploy region's", () => {
    const template = synth({ deployment_id: 'certrule', ...PRODUCTION }).compute.toJSON();
    assert.deepEqual(template.Rules.CertificateInDeployRegion.Assertions[0].Assert, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] });
    assert.match(template.Rules.CertificateInDeployRegion.Assertions[0].AssertDescription, /certificate of eu-west-1: deploy to eu-west-1/);
    assert.equal(synthesized[0].app.compute.toJSON().Rules?.CertificateInDeployRegion, undefined, 'no certificate, no rule');
  });

  it('fails synthesis on a certificate of another region than the deploy region, showing it', () => {
    assert.throws(
      () => synth({ deployment_id: 'certwrong', ...PRODUCTION, certificate_arn: certificateIn('eu-west-1') }, 'eu-north-1'),
      /^ValidationError: certificate_arn must be in the deploy region eu-north-1 .* got 'arn:aws:acm:eu-west-1:111122223333:certificate\/[0-9a-f-]+'$/m,
    );
  });
});
