import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CfnResource, TagManager } from 'aws-cdk-lib';
import { PRODUCTION, flatten, randomDeploymentId, synth, type Synthesized } from './support.ts';

// Properties 1 and 2 of the seed over 100 random deployments (ids, owners, environments, NAT
// modes): every taggable resource carries the deployment's tags, and no two deployments share
// a name in the account.
const CASES = 100;
const TEAM_STACKS = ['network', 'storage', 'data', 'secrets', 'compute'] as const;
const teamStacks = (synthesized: Synthesized) => TEAM_STACKS.map((kind) => synthesized.stacks[kind]);

/** Tags as CloudFormation will set them, whatever shape the resource type uses. */
function renderedTags(properties: Record<string, any>): Record<string, string> {
  const tags = properties.Tags;
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  if (tags && typeof tags === 'object') return tags;
  return {};
}

/** Checks property 1 on one deployment; returns how many taggable resources it checked. */
function assertTagged(synthesized: Synthesized, expected: Record<string, string>): number {
  let checked = 0;
  for (const kind of TEAM_STACKS) {
    const stack = synthesized.stacks[kind];
    const resources = synthesized[kind].toJSON().Resources;
    for (const node of stack.node.findAll()) {
      if (!(node instanceof CfnResource) || node.cfnResourceType === 'AWS::CDK::Metadata') continue;
      const raw = ['AWS::IAM::Role', 'AWS::Lambda::Function'].includes(node.cfnResourceType);
      if (!TagManager.isTaggable(node) && !raw) continue;
      const logicalId = stack.resolve(node.logicalId) as string;
      const properties = resources[logicalId].Properties ?? {};
      const tags = renderedTags(properties);
      assert.deepEqual(
        Object.fromEntries(Object.keys(expected).map((key) => [key, tags[key]])),
        expected,
        `${node.node.path} (${node.cfnResourceType})`,
      );
      if (node.cfnResourceType === 'AWS::AutoScaling::AutoScalingGroup') {
        for (const tag of properties.Tags) assert.equal(tag.PropagateAtLaunch, true, `instances inherit ${tag.Key}`);
      }
      if (node.cfnResourceType === 'AWS::EC2::LaunchTemplate') {
        const specs = properties.LaunchTemplateData.TagSpecifications;
        assert.deepEqual(specs.map((spec: any) => spec.ResourceType).sort(), ['instance', 'volume']);
        for (const spec of specs) assert.equal(renderedTags(spec).DeploymentID, expected.DeploymentID);
      }
      checked++;
    }
    assert.deepEqual(stack.tags.tagValues(), expected, `stack tags of ${stack.stackName}`);
  }
  return checked;
}

const OWNER_CHARACTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/=+-@éü';
function randomOwner(): string {
  const length = 1 + Math.floor(Math.random() * 40);
  let owner = 'o';
  for (let i = 1; i < length; i++) owner += OWNER_CHARACTERS[Math.floor(Math.random() * OWNER_CHARACTERS.length)];
  return owner;
}

/** Keys whose values are names inside one resource, not names in the account. */
const NOT_ACCOUNT_SCOPED = new Set(['DBName', 'PolicyName', 'DeviceName', 'GenerateStringKey', 'ServiceName', 'MetricName', 'VendorName']);
/** Properties that hold metric dimensions, firewall rules and event patterns: names of other things. */
const NOT_NAMING = new Set(['Tags', 'TagSpecifications', 'Dimensions', 'Rules', 'EventPattern']);

/** A Ref, GetAtt or import names something that exists already; it creates no name. */
const isReference = (value: unknown) =>
  !!value && typeof value === 'object' && ['Ref', 'Fn::GetAtt', 'Fn::ImportValue'].some((fn) => fn in (value as object));

/** Every physical name, export name and stack name an app would create in the account. */
function accountNames(synthesized: Synthesized): string[] {
  const names: string[] = teamStacks(synthesized).map((stack) => stack.stackName);
  const visit = (value: unknown, key: string) => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, key));
    else if (value && typeof value === 'object' && !Object.keys(value).some((k) => k.startsWith('Fn::') || k === 'Ref')) {
      for (const [childKey, child] of Object.entries(value)) if (!NOT_NAMING.has(childKey)) visit(child, childKey);
    } else if (/(Name|Identifier)$/.test(key) && !NOT_ACCOUNT_SCOPED.has(key) && !isReference(value)) {
      names.push(flatten(value));
    }
  };
  for (const template of [synthesized.network, synthesized.storage, synthesized.data, synthesized.secrets, synthesized.compute]) {
    const json = template.toJSON();
    for (const resource of Object.values(json.Resources as Record<string, any>)) visit(resource.Properties ?? {}, '');
    for (const output of Object.values((json.Outputs ?? {}) as Record<string, any>)) if (output.Export) names.push(flatten(output.Export.Name));
  }
  return names;
}

interface Case {
  readonly id: string;
  readonly tagged: number;
  readonly names: string[];
  readonly stackNames: string[];
}

// One synthesis per case; each case keeps only what the properties compare.
const cases: Case[] = [];
const seen = new Set<string>();
while (cases.length < CASES) {
  const id = randomDeploymentId();
  if (seen.has(id)) continue;
  seen.add(id);
  const owner = randomOwner();
  const environment = Math.random() < 0.5 ? 'lab' : 'production';
  const synthesized = synth({ deployment_id: id, owner, ...(environment === 'production' ? PRODUCTION : {}), nat_mode: Math.random() < 0.5 ? 'single' : 'dual' });
  const tagged = assertTagged(synthesized, { Project: 'HRAppLab', DeploymentID: id, Owner: owner, Environment: environment });
  cases.push({ id, tagged, names: accountNames(synthesized), stackNames: teamStacks(synthesized).map((stack) => stack.stackName) });
}
const [a, b] = cases;

describe(`property 1: resource metadata consistency (${CASES} random deployments)`, () => {
  it('tags every taggable resource with Project, DeploymentID, Owner and Environment', () => {
    for (const { id, tagged } of cases) assert.ok(tagged >= 29, `${id}: only ${tagged} taggable resources found`);
  });

  it('names the stacks hrapp-{id}-{network,storage,data,secrets,compute}', () => {
    for (const { id, stackNames } of cases) {
      assert.deepEqual(stackNames, TEAM_STACKS.map((kind) => `hrapp-${id}-${kind}`));
    }
  });
});

describe(`property 2: deployment isolation (${CASES} random deployments)`, () => {
  it('finds the names that must not clash', () => {
    for (const expected of [
      `hrapp-${a.id}-ec2-role-{AWS::Region}`,
      `hrapp-${a.id}-alb`,
      `hrapp-${a.id}-db`,
      `hrapp-${a.id}-uploads-{AWS::AccountId}-{AWS::Region}`,
      `hrapp-${a.id}-db-rotation`,
      `/aws/lambda/hrapp-${a.id}-db-rotation`,
    ]) {
      assert.ok(a.names.includes(expected), `${expected} in ${JSON.stringify(a.names)}`);
    }
    assert.ok(a.names.some((name) => name.startsWith(`hrapp-${a.id}-network:ExportsOutput`)), 'cross-stack exports');
  });

  it('puts the deployment id in every account-level name', () => {
    for (const { id, names } of cases) for (const name of names) assert.ok(name.includes(id), `${name} lacks ${id}`);
  });

  it('shares no name between two deployments in one account', () => {
    const owners = new Map<string, string>();
    for (const { id, names } of cases) {
      for (const name of names) {
        assert.equal(owners.get(name) ?? id, id, `${name} is both ${owners.get(name)}'s and ${id}'s`);
        owners.set(name, id);
      }
    }
    assert.ok(b.names.length > 0);
  });
});
