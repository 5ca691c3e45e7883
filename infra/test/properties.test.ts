import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CfnResource, TagManager } from 'aws-cdk-lib';
import { flatten, randomDeploymentId, synth, type Synthesized } from './support.ts';

// Properties 1 and 2 of the seed, over random deployment ids and owners.
const idA = randomDeploymentId();
let idB = randomDeploymentId();
while (idB === idA) idB = randomDeploymentId();
const ownerA = `owner ${Math.random().toString(36).slice(2, 10)}`;
const a = synth({ deployment_id: idA, owner: ownerA });
const b = synth({ deployment_id: idB, owner: 'trainer-b@example.com', nat_mode: 'dual', environment: 'production' });

const TEAM_STACKS = ['network', 'storage', 'data', 'secrets', 'compute'] as const;
const teamStacks = (synthesized: Synthesized) => TEAM_STACKS.map((kind) => synthesized.stacks[kind]);

/** Tags as CloudFormation will set them, whatever shape the resource type uses. */
function renderedTags(properties: Record<string, any>): Record<string, string> {
  const tags = properties.Tags;
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  if (tags && typeof tags === 'object') return tags;
  return {};
}

describe(`property 1: resource metadata consistency (${idA}, ${idB})`, () => {
  for (const [synthesized, id, owner] of [
    [a, idA, ownerA],
    [b, idB, 'trainer-b@example.com'],
  ] as const) {
    it(`tags every taggable resource of ${id} with Project, DeploymentID and Owner`, () => {
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
            { Project: tags.Project, DeploymentID: tags.DeploymentID, Owner: tags.Owner },
            { Project: 'HRAppLab', DeploymentID: id, Owner: owner },
            `${node.node.path} (${node.cfnResourceType})`,
          );
          if (node.cfnResourceType === 'AWS::AutoScaling::AutoScalingGroup') {
            for (const tag of properties.Tags) assert.equal(tag.PropagateAtLaunch, true, `instances inherit ${tag.Key}`);
          }
          if (node.cfnResourceType === 'AWS::EC2::LaunchTemplate') {
            const specs = properties.LaunchTemplateData.TagSpecifications;
            assert.deepEqual(specs.map((spec: any) => spec.ResourceType).sort(), ['instance', 'volume']);
            for (const spec of specs) assert.equal(renderedTags(spec).DeploymentID, id);
          }
          checked++;
        }
        assert.deepEqual(stack.tags.tagValues(), { Project: 'HRAppLab', DeploymentID: id, Owner: owner }, `stack tags of ${stack.stackName}`);
      }
      assert.ok(checked >= 29, `only ${checked} taggable resources found`);
    });
  }

  it('names the stacks hrapp-{id}-{network,storage,data,secrets,compute}', () => {
    assert.deepEqual(
      teamStacks(a).map((stack) => stack.stackName),
      ['network', 'storage', 'data', 'secrets', 'compute'].map((kind) => `hrapp-${idA}-${kind}`),
    );
  });
});

/** Keys whose values are names inside one resource, not names in the account. */
const NOT_ACCOUNT_SCOPED = new Set(['DBName', 'PolicyName', 'DeviceName', 'GenerateStringKey']);

/** A Ref, GetAtt or import names something that exists already; it creates no name. */
const isReference = (value: unknown) =>
  !!value && typeof value === 'object' && ['Ref', 'Fn::GetAtt', 'Fn::ImportValue'].some((fn) => fn in (value as object));

/** Every physical name, export name and stack name an app would create in the account. */
function accountNames(synthesized: Synthesized): string[] {
  const names: string[] = teamStacks(synthesized).map((stack) => stack.stackName);
  const visit = (value: unknown, key: string) => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, key));
    else if (value && typeof value === 'object' && !Object.keys(value).some((k) => k.startsWith('Fn::') || k === 'Ref')) {
      for (const [childKey, child] of Object.entries(value)) if (childKey !== 'Tags' && childKey !== 'TagSpecifications') visit(child, childKey);
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

describe(`property 2: deployment isolation (${idA}, ${idB})`, () => {
  const namesA = accountNames(a);
  const namesB = accountNames(b);

  it('finds the names that must not clash', () => {
    for (const expected of [`hrapp-${idA}-ec2-role`, `hrapp-${idA}-alb`, `hrapp-${idA}-db`, `hrapp-${idA}-uploads-{AWS::AccountId}`, `hrapp-${idA}-db-rotation`]) {
      assert.ok(namesA.includes(expected), `${expected} in ${JSON.stringify(namesA)}`);
    }
    assert.ok(namesA.some((name) => name.startsWith(`hrapp-${idA}-network:ExportsOutput`)), 'cross-stack exports');
  });

  it('puts the deployment id in every account-level name', () => {
    for (const name of namesA) assert.ok(name.includes(idA), `${name} lacks ${idA}`);
    for (const name of namesB) assert.ok(name.includes(idB), `${name} lacks ${idB}`);
  });

  it('shares no name between two deployments in one account', () => {
    const shared = namesA.filter((name) => namesB.includes(name));
    assert.deepEqual(shared, []);
  });
});
