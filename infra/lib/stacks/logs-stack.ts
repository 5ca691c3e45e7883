import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { appLogGroupName, databaseLogGroupName, statefulRemovalPolicy } from '../defaults.ts';

export interface LogsStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** Days the app's and the database's logs are kept. */
export const LOG_GROUP_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * The log groups that hold a deployment's evidence: the instances' boot and app streams, and
 * the database's PostgreSQL log. They live apart from the stacks that write to them, so a failed
 * first deploy of the compute stack, which rolls back and deletes what it created, leaves the
 * boot-failure streams to read. In production `scripts/teardown` keeps this stack, and a redeploy
 * of the same id updates it instead of failing on groups that already exist.
 */
export class LogsStack extends Stack {
  readonly appLogGroup: logs.ILogGroup;
  readonly databaseLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: LogsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = statefulRemovalPolicy(config);
    this.appLogGroup = new logs.LogGroup(this, 'AppLogs', {
      logGroupName: appLogGroupName(config.deploymentId),
      retention: LOG_GROUP_RETENTION,
      removalPolicy,
    });
    // RDS creates the export's log group itself, untagged and outside any stack, unless it exists.
    this.databaseLogGroup = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: databaseLogGroupName(config.deploymentId),
      retention: LOG_GROUP_RETENTION,
      removalPolicy,
    });

    new CfnOutput(this, 'AppLogGroupName', { value: this.appLogGroup.logGroupName, description: 'boot and app logs of every instance ({instance}/boot, {instance}/app)' });
    new CfnOutput(this, 'DatabaseLogGroupName', { value: this.databaseLogGroup.logGroupName, description: 'the PostgreSQL log' });
  }
}
