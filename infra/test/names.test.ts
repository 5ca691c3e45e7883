import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import { flatten, resourcesOf, synth } from './support.ts';

// The longest deployment id must give names every service accepts, in the longest region.
const LONGEST_ID = 'a2345678901234567890';
const longest = synth({ deployment_id: LONGEST_ID });
const ACCOUNT = '123456789012';
const LONGEST_REGION = 'ap-southeast-2';

/** Each named resource type, the property holding its name, and the service's limit. */
const LIMITS: [string, string, number][] = [
  ['AWS::S3::Bucket', 'BucketName', 63],
  ['AWS::IAM::Role', 'RoleName', 64],
  ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'Name', 32],
  ['AWS::ElasticLoadBalancingV2::TargetGroup', 'Name', 32],
  ['AWS::RDS::DBInstance', 'DBInstanceIdentifier', 63],
  ['AWS::RDS::DBSubnetGroup', 'DBSubnetGroupName', 255],
  ['AWS::Lambda::Function', 'FunctionName', 64],
  ['AWS::AutoScaling::AutoScalingGroup', 'AutoScalingGroupName', 255],
  ['AWS::EC2::LaunchTemplate', 'LaunchTemplateName', 128],
  ['AWS::SecretsManager::Secret', 'Name', 512],
  ['AWS::Logs::LogGroup', 'LogGroupName', 512],
];

const concrete = (name: string) => name.replace('{AWS::AccountId}', ACCOUNT).replace('{AWS::Region}', LONGEST_REGION);

describe(`names of the longest deployment id (${LONGEST_ID})`, () => {
  it('fit every service limit, in the longest region', () => {
    let checked = 0;
    for (const template of [longest.network, longest.storage, longest.data, longest.secrets, longest.compute] as Template[]) {
      for (const [type, property, limit] of LIMITS) {
        for (const [, resource] of resourcesOf(template, type)) {
          const value = resource.Properties?.[property];
          if (value === undefined) continue;
          const name = concrete(flatten(value));
          assert.ok(name.includes(LONGEST_ID), `${type} ${name}`);
          assert.ok(name.length <= limit, `${type} ${property} '${name}' is ${name.length} characters, over ${limit}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 15, `only ${checked} names checked`);
  });
});
