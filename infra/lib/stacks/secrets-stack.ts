import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { resourceName } from '../defaults.ts';

export interface SecretsStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly credentials: secretsmanager.ISecret;
  readonly vpc: ec2.IVpc;
  /** The app tier's group: the only one the database admits, and it may reach AWS APIs on 443. */
  readonly appSecurityGroup: ec2.ISecurityGroup;
}

export const ROTATION_PERIOD = Duration.days(30);

/**
 * Rotates the database credentials every 30 days with Secrets Manager's hosted single-user
 * rotation, and publishes the secret to the app.
 */
export class SecretsStack extends Stack {
  readonly credentials: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, props);
    const { config } = props;

    // The rotation function runs in the private subnets as a member of the app tier, so the
    // three security groups keep exactly the seed's rules; it reaches Secrets Manager via NAT.
    const rotationSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'AppSecurityGroup', props.appSecurityGroup.securityGroupId, {
      mutable: false,
    });
    const functionName = resourceName(config.deploymentId, 'db-rotation');
    // Lambda would create the function's log group itself, untagged and outside the stack.
    const rotationLogs = new logs.LogGroup(this, 'RotationLogs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const rotation = new secretsmanager.RotationSchedule(this, 'CredentialsRotation', {
      secret: props.credentials,
      automaticallyAfter: ROTATION_PERIOD,
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        functionName,
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [rotationSecurityGroup],
      }),
    });
    rotation.node.addDependency(rotationLogs);
    this.credentials = props.credentials;

    new CfnOutput(this, 'DbSecretArn', { value: props.credentials.secretArn, description: 'database credentials (JSON: host, port, dbname, username, password)' });
  }
}
