import { CfnResource, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { ValidationError } from './errors.ts';

const AWS_CUSTOM_RESOURCE_FUNCTION_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/** The one function that performs the calls of every AwsCustomResource in `scope`'s stack. */
export function awsCustomResourceFunction(scope: IConstruct): IConstruct {
  return Stack.of(scope).node.findChild(AWS_CUSTOM_RESOURCE_FUNCTION_ID);
}

/**
 * The functions of a team's custom resources (CDK's own and ours), by a fragment of their
 * construct path, and the name each gets: `hrapp-{id}-{name}`.
 */
const PROVIDER_FUNCTION_NAMES: readonly [string, string][] = [
  ['VpcRestrictDefaultSG', 'default-sg-rules'],
  ['S3AutoDeleteObjects', 'empty-uploads'],
  ['DatabaseRolesFunction', 'db-roles'],
  ['DatabaseRolesProvider', 'db-roles-provider'],
  [AWS_CUSTOM_RESOURCE_FUNCTION_ID, 'aws-api-calls'],
];

export const FUNCTION_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * Lambda creates a function's log group on first use, untagged and outside any stack, so it
 * outlives the deployment. This names every function of `stack` `hrapp-{id}-…` and creates
 * its log group in the stack, with retention and `removal`, created before the function.
 */
export function ownFunctionLogs(stack: Stack, deploymentId: string, removal: RemovalPolicy): void {
  const resources = stack.node.findAll().filter((node): node is CfnResource => node instanceof CfnResource);
  for (const fn of resources.filter((resource) => resource.cfnResourceType === 'AWS::Lambda::Function')) {
    const match = PROVIDER_FUNCTION_NAMES.find(([fragment]) => fn.node.path.includes(fragment));
    if (match === undefined) {
      throw new ValidationError(`function ${fn.node.path} has no name in lib/function-logs.ts: give it one so its logs are removed with the stack`);
    }
    const functionName = `hrapp-${deploymentId}-${match[1]}`;
    fn.addPropertyOverride('FunctionName', functionName);
    const group = new logs.LogGroup(stack, `${match[1].replace(/(^|-)(\w)/g, (_m, _dash, letter: string) => letter.toUpperCase())}Logs`, {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: FUNCTION_LOG_RETENTION,
      removalPolicy: removal,
    });
    // The custom resources depend on the function, so they are deleted before the group.
    fn.node.addDependency(group);
  }
}
