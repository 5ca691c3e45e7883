import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: the function's code is plain JavaScript, shipped as it is.
import { ensureRecorder, handler } from '../lib/config-recorder/index.mjs';

const props = { recorderRoleArn: 'arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig', bucketName: 'config-bucket' };

/** A recording stand-in for the AWS calls: answers from `answers`, throws what `errors` names. */
function account(answers: Record<string, unknown>, errors: Record<string, Error> = {}) {
  const calls: [string, unknown][] = [];
  const call = async (service: string, operation: string, input: unknown) => {
    calls.push([`${service}:${operation}`, input]);
    if (errors[operation]) throw errors[operation];
    return answers[operation] ?? {};
  };
  return { calls, call, names: () => calls.map(([name]) => name) };
}

describe('the ConfigRecorder function', () => {
  it('leaves an existing recorder as it is, whatever its state', async () => {
    const aws = account({ DescribeConfigurationRecorders: { ConfigurationRecorders: [{ name: 'org-recorder' }] } });
    assert.deepEqual(await ensureRecorder(aws.call, props), { Recorder: 'org-recorder', Action: 'existing recorder left as it is' });
    assert.deepEqual(aws.names(), ['config:DescribeConfigurationRecorders']);
  });

  it('creates, delivers to the bucket and starts a recorder when the region has none', async () => {
    const aws = account({ DescribeConfigurationRecorders: { ConfigurationRecorders: [] } });
    assert.deepEqual(await ensureRecorder(aws.call, props), { Recorder: 'default', Action: 'created and started' });
    assert.deepEqual(aws.names(), [
      'config:DescribeConfigurationRecorders',
      'iam:CreateServiceLinkedRole',
      'config:PutConfigurationRecorder',
      'config:DescribeDeliveryChannels',
      'config:PutDeliveryChannel',
      'config:StartConfigurationRecorder',
    ]);
    assert.deepEqual(aws.calls[2][1], {
      ConfigurationRecorder: { name: 'default', roleARN: props.recorderRoleArn, recordingGroup: { allSupported: true, includeGlobalResourceTypes: false } },
    });
    assert.deepEqual(aws.calls[4][1], { DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket' } });
  });

  it("does not count another service's service-linked recorder as the region's own", async () => {
    const serviceLinked = {
      name: 'AWSConfigurationRecorderForSomeService',
      arn: 'arn:aws:config:eu-north-1:111122223333:configuration-recorder/AWSConfigurationRecorderForSomeService/abc',
      servicePrincipal: 'someservice.amazonaws.com',
      recordingScope: 'INTERNAL',
    };
    const aws = account({ DescribeConfigurationRecorders: { ConfigurationRecorders: [serviceLinked] } });
    assert.deepEqual(await ensureRecorder(aws.call, props), { Recorder: 'default', Action: 'created and started' });
    assert.ok(aws.names().includes('config:StartConfigurationRecorder'));
    const withOwn = account({ DescribeConfigurationRecorders: { ConfigurationRecorders: [serviceLinked, { name: 'org-recorder', recordingScope: 'PAID' }] } });
    assert.equal((await ensureRecorder(withOwn.call, props)).Recorder, 'org-recorder');
  });

  it('keeps a delivery channel that exists, and a service-linked role that exists', async () => {
    const aws = account(
      { DescribeDeliveryChannels: { DeliveryChannels: [{ name: 'default', s3BucketName: 'elsewhere' }] } },
      { CreateServiceLinkedRole: new Error('Service role name AWSServiceRoleForConfig has been taken in this account') },
    );
    assert.equal((await ensureRecorder(aws.call, props)).Action, 'created and started');
    assert.ok(!aws.names().includes('config:PutDeliveryChannel'));
  });

  it('fails the resource on any other error, so the deploy shows it', async () => {
    const aws = account({}, { PutConfigurationRecorder: new Error('InsufficientDeliveryPolicyException') });
    await assert.rejects(ensureRecorder(aws.call, props), /InsufficientDeliveryPolicyException/);
    assert.ok(!aws.names().includes('config:StartConfigurationRecorder'));
  });

  it('does nothing when the stack is deleted: the recorder stays', async () => {
    assert.deepEqual(await handler({ RequestType: 'Delete', PhysicalResourceId: 'hrapp-config-recorder' }), { PhysicalResourceId: 'hrapp-config-recorder' });
  });
});
