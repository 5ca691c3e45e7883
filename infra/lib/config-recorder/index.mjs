// The function behind the account stack's ConfigRecorder resource: turns on AWS Config
// recording in this account and region when there is no recorder, and never touches one that
// exists (an account has at most one per region, often managed by its organization).
// Security Hub's foundational standard evaluates its controls through Config rules.

export const RECORDER_NAME = 'default';

/**
 * `call(service, operation, input)` performs one AWS API call. Returns what was done, for the
 * stack's output: an existing recorder is reported, a missing one created and started.
 */
export async function ensureRecorder(call, { recorderRoleArn, bucketName }) {
  const { ConfigurationRecorders: all = [] } = await call('config', 'DescribeConfigurationRecorders', {});
  // A service-linked recorder (another service's, e.g. for its own rules) records only what that
  // service needs: the region still has no recorder of its own, which the standard needs.
  const recorders = all.filter((recorder) => recorder.servicePrincipal === undefined && recorder.recordingScope !== 'INTERNAL');
  if (recorders.length > 0) return { Recorder: recorders[0].name, Action: 'existing recorder left as it is' };
  try {
    await call('iam', 'CreateServiceLinkedRole', { AWSServiceName: 'config.amazonaws.com' });
  } catch (error) {
    // The role exists already: Config was on in this account before, or in another region.
    if (!/has been taken|already exists/i.test(String(error?.message))) throw error;
  }
  await call('config', 'PutConfigurationRecorder', {
    ConfigurationRecorder: {
      name: RECORDER_NAME,
      roleARN: recorderRoleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
    },
  });
  const { DeliveryChannels: channels = [] } = await call('config', 'DescribeDeliveryChannels', {});
  if (channels.length === 0) {
    await call('config', 'PutDeliveryChannel', { DeliveryChannel: { name: RECORDER_NAME, s3BucketName: bucketName } });
  }
  await call('config', 'StartConfigurationRecorder', { ConfigurationRecorderName: RECORDER_NAME });
  return { Recorder: RECORDER_NAME, Action: 'created and started' };
}

/** The custom resource's onEvent handler (provider framework); deleting the stack changes nothing. */
export async function handler(event) {
  const physicalResourceId = 'hrapp-config-recorder';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? physicalResourceId };
  const config = await import('@aws-sdk/client-config-service');
  const iam = await import('@aws-sdk/client-iam');
  const clients = { config: new config.ConfigServiceClient({}), iam: new iam.IAMClient({}) };
  const modules = { config, iam };
  const call = (service, operation, input) => clients[service].send(new modules[service][`${operation}Command`](input));
  const data = await ensureRecorder(call, event.ResourceProperties);
  return { PhysicalResourceId: physicalResourceId, Data: data };
}
