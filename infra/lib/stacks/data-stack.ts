import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { DATABASE_MASTER_USERNAME, DATABASE_NAME, DATABASE_PORT, databaseInstanceIdentifier, isLab, resourceName, secretName } from '../defaults.ts';
import { ALWAYS_ON_CALENDAR, databaseCalendar } from '../lab-calendar.ts';

export interface DataStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly vpc: ec2.IVpc;
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** Where the instance exports its PostgreSQL log (the logs stack); it must exist first. */
  readonly databaseLogGroup: logs.ILogGroup;
}

/**
 * PostgreSQL 15 in the private subnets, encrypted, backed up for 7 days. Its master credentials
 * are generated into a secret here, because the instance needs them at creation; the secrets
 * stack rotates them and gives the app a login of its own. With lab hours, the backup and
 * maintenance windows fall inside them, when the database runs.
 */
export class DataStack extends Stack {
  readonly database: rds.IDatabaseInstance;
  /** The master's credentials, with host and port: never the app's. */
  readonly masterCredentials: secretsmanager.ISecret;

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
      secretName: secretName(config, 'db-credentials'),
    });
    const calendar = config.labSchedule ? databaseCalendar(config.labSchedule) : ALWAYS_ON_CALENDAR;
    const instance = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: databaseInstanceIdentifier(config.deploymentId),
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
      preferredBackupWindow: calendar.backupWindow,
      preferredMaintenanceWindow: calendar.maintenanceWindow,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
      deletionProtection: !lab,
      // Production keeps a final snapshot; a lab copy leaves nothing, automated backups included.
      removalPolicy: lab ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
      deleteAutomatedBackups: lab,
    });
    instance.node.addDependency(props.databaseLogGroup);
    // `instance.secret` is the attachment (host, port) over the generated secret itself.
    // Production keeps the credentials of the final snapshot; CloudFormation force-deletes a lab's.
    generatedSecret.applyRemovalPolicy(lab ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    Validations.of(generatedSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotated by the master RotationSchedule of the secrets stack, which deploys right after this one.',
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
    this.masterCredentials = instance.secret!;

    new CfnOutput(this, 'DbEndpoint', { value: instance.dbInstanceEndpointAddress, description: 'PostgreSQL host name' });
    new CfnOutput(this, 'DbPort', { value: instance.dbInstanceEndpointPort, description: 'PostgreSQL port' });
    new CfnOutput(this, 'DbName', { value: DATABASE_NAME, description: 'the database the app uses' });
    new CfnOutput(this, 'DbSecretName', { value: secretName(config, 'db-credentials'), description: 'the master credentials (name); the app has its own, see the secrets stack' });
  }
}
