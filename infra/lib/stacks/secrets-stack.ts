import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, CustomResource, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { DATABASE_APP_USERNAME, DATABASE_NAME, DATABASE_OWNER_ROLE, resourceName, secretName } from '../defaults.ts';
import { ALWAYS_ON_CALENDAR, databaseCalendar, type RotationWindow } from '../lab-calendar.ts';

export interface SecretsStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly database: rds.IDatabaseInstance;
  /** The master's credentials (data stack): rotated here, and used to create the app's roles. */
  readonly masterCredentials: secretsmanager.ISecret;
  readonly vpc: ec2.IVpc;
  /** The app tier's group: the only one the database admits, and it may reach AWS APIs on 443. */
  readonly appSecurityGroup: ec2.ISecurityGroup;
}

const INFRA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATABASE_ROLES_ENTRY = path.join(INFRA_DIR, 'lib', 'database-roles', 'index.mjs');

/**
 * The app's own database login and the rotation of every database credential. The master keeps
 * its secret (single-user rotation); the app gets a secret of its own, `hrapp_app`, which
 * multi-user rotation alternates with `hrapp_app_clone`, so the password in `AWSCURRENT` always
 * works while the other user's changes. The group role `hrapp_owner` owns the schema, both logins
 * are its members, and the app's migrations `SET ROLE` to it (DB_OWNER_ROLE).
 */
export class SecretsStack extends Stack {
  /** The app's credentials: host, port, dbname, username, password (and masterarn, for rotation). */
  readonly credentials: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const calendar = config.labSchedule ? databaseCalendar(config.labSchedule) : ALWAYS_ON_CALENDAR;

    // The functions run in the private subnets as members of the app tier, so the three security
    // groups keep exactly the seed's rules; they reach Secrets Manager via NAT.
    const appTier = ec2.SecurityGroup.fromSecurityGroupId(this, 'AppSecurityGroup', props.appSecurityGroup.securityGroupId, { mutable: false });
    const inVpc = { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [appTier] };

    const appSecret = new rds.DatabaseSecret(this, 'AppSecret', {
      username: DATABASE_APP_USERNAME,
      dbname: DATABASE_NAME,
      // Adds `masterarn`, which multi-user rotation reads to log in as the master.
      masterSecret: props.masterCredentials,
      secretName: secretName(config, 'db-app-credentials'),
    });
    // The app's login is made from the master's: nothing in it to keep once the database is gone.
    appSecret.applyRemovalPolicy(RemovalPolicy.DESTROY);
    const credentials = appSecret.attach(props.database);

    const roles = this.databaseRoles(config, inVpc, props.masterCredentials, credentials);

    const masterRotation = this.rotation(config, 'MasterCredentialsRotation', 'db-master-rotation', props.masterCredentials, calendar.masterRotation, (options) =>
      secretsmanager.HostedRotation.postgreSqlSingleUser({ ...options, ...inVpc }),
    );
    const appRotation = this.rotation(config, 'CredentialsRotation', 'db-rotation', credentials, calendar.appRotation, (options) =>
      secretsmanager.HostedRotation.postgreSqlMultiUser({ ...options, ...inVpc, masterSecret: props.masterCredentials }),
    );
    // The first rotation runs at once, and needs the login to exist; two rotations at once could
    // each find the master's password mid-change.
    appRotation.node.addDependency(roles);
    appRotation.node.addDependency(masterRotation);
    Validations.of(appSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotated by the CredentialsRotation schedule of this stack (multi-user, hosted).',
    });
    this.credentials = credentials;

    new CfnOutput(this, 'DbSecretArn', { value: credentials.secretArn, description: "the app's database credentials (JSON: host, port, dbname, username, password)" });
    new CfnOutput(this, 'DbAppSecretName', { value: secretName(config, 'db-app-credentials'), description: "the app's database credentials (name)" });
  }

  /** A hosted rotation on the lab calendar, with its function's log group made first. */
  private rotation(
    config: DeploymentConfig,
    id: string,
    functionResource: string,
    secret: secretsmanager.ISecret,
    window: RotationWindow,
    hosted: (options: { functionName: string }) => secretsmanager.HostedRotation,
  ): secretsmanager.RotationSchedule {
    const functionName = resourceName(config.deploymentId, functionResource);
    // Lambda would create the function's log group itself, untagged and outside the stack.
    const functionLogs = new logs.LogGroup(this, `${id}Logs`, {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const rotation = new secretsmanager.RotationSchedule(this, id, { secret, hostedRotation: hosted({ functionName }) });
    (rotation.node.defaultChild as secretsmanager.CfnRotationSchedule).rotationRules = window;
    rotation.node.addDependency(functionLogs);
    return rotation;
  }

  /** The custom resource that creates `hrapp_owner` and `hrapp_app` with the master's credentials. */
  private databaseRoles(
    config: DeploymentConfig,
    inVpc: Pick<lambda.FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'>,
    masterCredentials: secretsmanager.ISecret,
    appCredentials: secretsmanager.ISecret,
  ): CustomResource {
    const rolesFunction = new lambdaNodejs.NodejsFunction(this, 'DatabaseRolesFunction', {
      description: `hrapp ${config.deploymentId}: creates the database's group role and the app's login`,
      entry: DATABASE_ROLES_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      projectRoot: INFRA_DIR,
      depsLockFilePath: path.join(INFRA_DIR, 'package-lock.json'),
      // The local esbuild bundles `pg` in at synthesis: no container, no download.
      bundling: { externalModules: ['@aws-sdk/*'], forceDockerBundling: false, logLevel: lambdaNodejs.LogLevel.WARNING },
      // The runtime's own bundle of CAs, the RDS ones included, which Node.js does not load by default.
      environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
      timeout: Duration.minutes(2),
      ...inVpc,
    });
    masterCredentials.grantRead(rolesFunction);
    appCredentials.grantRead(rolesFunction);
    const provider = new cr.Provider(this, 'DatabaseRolesProvider', { onEventHandler: rolesFunction });
    for (const scope of [rolesFunction, provider]) {
      Validations.of(scope).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'The functions of the DatabaseRoles resource write their own logs with the basic execution policy.',
        },
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          reason: 'The DatabaseRoles function reaches the private database from the VPC, which needs its network interfaces.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::<DatabaseRolesFunctionE05099A7.Arn>:*]',
          reason: "CDK's provider framework invokes any version of the one DatabaseRoles function.",
        },
        { id: 'AwsSolutions-L1', reason: "The provider framework's runtime is chosen by CDK; the DatabaseRoles function runs the latest Node.js." },
      );
    }
    return new CustomResource(this, 'DatabaseRoles', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseRoles',
      properties: {
        database: DATABASE_NAME,
        ownerRole: DATABASE_OWNER_ROLE,
        appUsername: DATABASE_APP_USERNAME,
        masterSecretArn: masterCredentials.secretArn,
        appSecretArn: appCredentials.secretArn,
        // A change to the function's code runs it again on the next deploy.
        codeVersion: createHash('sha256').update(readFileSync(DATABASE_ROLES_ENTRY)).digest('hex').slice(0, 16),
      },
    });
  }
}
