import { CfnOutput, Duration, Fn, Aws, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { DATABASE_NAME, DATABASE_PORT, databaseInstanceIdentifier, isLab, resourceName, statefulRemovalPolicy } from '../defaults.ts';

export interface DataStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly vpc: ec2.IVpc;
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
}

export const DATABASE_MASTER_USERNAME = 'hrapp_admin';

/**
 * PostgreSQL 15 in the private subnets, encrypted, backed up for 7 days. Its master credentials
 * are generated into a secret here, because the instance needs them at creation; the secrets
 * stack adds the rotation and hands the secret to the app.
 */
export class DataStack extends Stack {
  readonly database: rds.IDatabaseInstance;
  readonly credentials: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const lab = isLab(config);

    const parameters = new rds.ParameterGroup(this, 'Parameters', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      name: resourceName(config.deploymentId, 'db-params'),
      description: 'hrapp PostgreSQL 15: TLS required',
      parameters: { 'rds.force_ssl': '1' },
    });

    // dbname is in the secret from the start: the attachment adds engine, host, port and
    // dbInstanceIdentifier only, and an app without it would use the `postgres` database.
    const generatedSecret = new rds.DatabaseSecret(this, 'DatabaseSecret', {
      username: DATABASE_MASTER_USERNAME,
      dbname: DATABASE_NAME,
      secretName: credentialsSecretName(config),
    });
    // RDS creates the export's log group itself, untagged and outside the stack, unless it exists.
    const instanceIdentifier = databaseInstanceIdentifier(config.deploymentId);
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: statefulRemovalPolicy(config),
    });
    const instance = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      instanceType: new ec2.InstanceType(config.dbInstanceClass.replace(/^db\./, '')),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      subnetGroup: new rds.SubnetGroup(this, 'SubnetGroup', {
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        subnetGroupName: resourceName(config.deploymentId, 'db-subnets'),
        description: 'hrapp database: the private subnets',
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      securityGroups: [props.databaseSecurityGroup],
      port: DATABASE_PORT,
      publiclyAccessible: false,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromSecret(generatedSecret, DATABASE_MASTER_USERNAME),
      parameterGroup: parameters,
      multiAz: config.dbMultiAz,
      allocatedStorage: 20,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      backupRetention: Duration.days(7),
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
      deletionProtection: !lab,
      // Production keeps a final snapshot; a lab copy leaves nothing, automated backups included.
      removalPolicy: lab ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
      deleteAutomatedBackups: lab,
    });
    instance.node.addDependency(postgresLogs);
    // `instance.secret` is the attachment (host, port) over the generated secret itself.
    // Production keeps the credentials of the final snapshot; CloudFormation force-deletes a lab's.
    generatedSecret.applyRemovalPolicy(lab ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    Validations.of(generatedSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotated every 30 days by the RotationSchedule of the secrets stack, which deploys right after this one.',
    });
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: "PostgreSQL's default port is part of the app's contract; the database is private and reachable from the app tier only.",
    });
    if (!config.dbMultiAz) {
      Validations.of(instance).acknowledge({ id: 'AwsSolutions-RDS3', reason: 'db_multi_az=false by choice (the lab default); db_multi_az=true adds the standby.' });
    }
    if (lab) {
      Validations.of(instance).acknowledge({ id: 'AwsSolutions-RDS10', reason: 'environment=lab must tear down without leftovers; production enables deletion protection.' });
    }

    this.database = instance;
    this.credentials = instance.secret!;

    new CfnOutput(this, 'DbEndpoint', { value: instance.dbInstanceEndpointAddress, description: 'PostgreSQL host name' });
    new CfnOutput(this, 'DbPort', { value: instance.dbInstanceEndpointPort, description: 'PostgreSQL port' });
    new CfnOutput(this, 'DbName', { value: DATABASE_NAME, description: 'the database the app uses' });
    new CfnOutput(this, 'DbSecretName', { value: credentialsSecretName(config), description: 'database credentials secret (name)' });
  }
}

/**
 * `hrapp-{id}-db-credentials` in production. A lab copy appends the first block of its stack's
 * UUID: a redeploy never collides with a secret of the same name that is pending deletion.
 */
function credentialsSecretName(config: DeploymentConfig): string {
  const base = resourceName(config.deploymentId, 'db-credentials');
  if (!isLab(config)) return base;
  const stackUuidPrefix = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
  return `${base}-${stackUuidPrefix}`;
}
