import { type App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { locateAppPackage, readRuntimeLibraries } from '../lib/app-package.ts';
import { readDeploymentConfig, type DeploymentConfig } from '../lib/config.ts';
import { ACCOUNT_LEVEL_DEPLOYMENT_TAG, PROJECT_TAG, SECURITY_STACK_NAME, deploymentTags, stackName } from '../lib/defaults.ts';
import { ComputeStack } from '../lib/stacks/compute-stack.ts';
import { DataStack } from '../lib/stacks/data-stack.ts';
import { LogsStack } from '../lib/stacks/logs-stack.ts';
import { NetworkStack } from '../lib/stacks/network-stack.ts';
import { SecretsStack } from '../lib/stacks/secrets-stack.ts';
import { SecurityStack } from '../lib/stacks/security-stack.ts';
import { StorageStack } from '../lib/stacks/storage-stack.ts';
import { ownFunctionLogs } from '../lib/function-logs.ts';
import { tagEverything } from '../lib/tagging.ts';

/** The stacks of one synthesized app: a team's six and the account-level one. */
export interface HrappStacks {
  readonly config: DeploymentConfig;
  readonly logs: LogsStack;
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly data: DataStack;
  readonly secrets: SecretsStack;
  readonly compute: ComputeStack;
  readonly security: SecurityStack;
}

/**
 * The composition root. Stack ids equal the CloudFormation stack names, so
 * `cdk deploy 'hrapp-team01-*'` deploys a team and `cdk deploy hrapp-security` the account stack.
 * Dependencies follow the references: logs → data, network → storage, data → secrets → compute.
 * `deployRegion`, the region the CLI deploys to when known, checks region-bound parameters at
 * synthesis; the templates themselves stay region-agnostic.
 */
export function buildHrapp(app: App, deployRegion?: string): HrappStacks {
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key), deployRegion);
  const appPackage = locateAppPackage(app.node.tryGetContext('app_package'));
  const runtimeLibraries = readRuntimeLibraries();
  const id = config.deploymentId;
  const description = (what: string) => `hrapp ${id}: ${what}`;

  const logs = new LogsStack(app, stackName(id, 'logs'), { config, description: description('log groups that outlive the other stacks: boot, app, PostgreSQL') });
  const network = new NetworkStack(app, stackName(id, 'network'), { config, description: description('VPC, subnets, NAT, security groups') });
  const storage = new StorageStack(app, stackName(id, 'storage'), { config, description: description('profile photo bucket') });
  const data = new DataStack(app, stackName(id, 'data'), {
    config,
    description: description('PostgreSQL 15 and its generated credentials'),
    vpc: network.vpc,
    databaseSecurityGroup: network.databaseSecurityGroup,
    databaseLogGroup: logs.databaseLogGroup,
  });
  const secrets = new SecretsStack(app, stackName(id, 'secrets'), {
    config,
    description: description("the app's database login and the rotation of every database credential"),
    database: data.database,
    masterCredentials: data.masterCredentials,
    vpc: network.vpc,
    appSecurityGroup: network.appSecurityGroup,
  });
  const compute = new ComputeStack(app, stackName(id, 'compute'), {
    config,
    description: description('instances, Auto Scaling group, load balancer'),
    vpc: network.vpc,
    albSecurityGroup: network.albSecurityGroup,
    appSecurityGroup: network.appSecurityGroup,
    bucket: storage.bucket,
    credentials: secrets.credentials,
    masterCredentials: data.masterCredentials,
    appLogGroup: logs.appLogGroup,
    appPackage,
    runtimeLibraries,
    natGatewayIds: network.natGatewayIds,
    logBucket: network.logBucket,
  });
  // The seed's order, also where no reference implies it.
  storage.addStackDependency(network, 'the seed deploys storage after the network');
  secrets.addStackDependency(data, 'rotation needs the database and its secret');
  compute.addStackDependency(secrets, 'instances read the rotated secret');
  compute.addStackDependency(storage, 'instances write to the bucket');

  for (const stack of [logs, network, storage, data, secrets, compute]) {
    ownFunctionLogs(stack, id, RemovalPolicy.DESTROY);
    tagEverything(stack, deploymentTags(config));
  }

  const security = new SecurityStack(app, SECURITY_STACK_NAME, {
    description: 'hrapp account-level services: Inspector2, Security Hub, and in us-east-1 the billing alarm (deployed once, never disabled by teardown)',
    alarmEmail: config.alarmEmail,
    billingAlarmUsd: config.billingAlarmUsd,
  });
  tagEverything(security, { Project: PROJECT_TAG, DeploymentID: ACCOUNT_LEVEL_DEPLOYMENT_TAG, Owner: config.owner });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, logs, network, storage, data, secrets, compute, security };
}
