import { Aws, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type { DeploymentConfig } from './config.ts';

/** The one place that says how hrapp's resources are named, tagged and kept. */

export const PROJECT_TAG = 'HRAppLab';
export const APP_PORT = 5000;
export const HEALTH_CHECK_PATH = '/health';
export const DATABASE_NAME = 'hrappdb';
export const DATABASE_PORT = 5432;
export const VPC_CIDR = '10.0.0.0/16';
/** The seed's subnets, one per zone and tier. */
export const PUBLIC_SUBNET_CIDRS = ['10.0.1.0/24', '10.0.2.0/24'];
export const PRIVATE_SUBNET_CIDRS = ['10.0.11.0/24', '10.0.12.0/24'];
/** Where the app keeps a deployment's photos: `uploads/{deployment_id}/`. */
export function uploadsPrefix(deploymentId: string): string {
  return `uploads/${deploymentId}/`;
}
export const SECURITY_STACK_NAME = 'hrapp-security';
/**
 * `DeploymentID` of the account-level stack: outside the deployment_id pattern, so no team's
 * teardown (which looks for leftovers by that tag) ever counts the shared services as its own.
 */
export const ACCOUNT_LEVEL_DEPLOYMENT_TAG = '_account';

export type TeamStackKind = 'logs' | 'network' | 'storage' | 'data' | 'secrets' | 'compute';

/**
 * The database's roles: the master (RDS's, used only to create the others and by its own
 * rotation), the group role that owns the schema and every object in it, and the app's login,
 * which multi-user rotation alternates with `{APP}_clone`; both are members of the group role.
 */
export const DATABASE_MASTER_USERNAME = 'hrapp_admin';
export const DATABASE_OWNER_ROLE = 'hrapp_owner';
export const DATABASE_APP_USERNAME = 'hrapp_app';

/** `/hrapp/{id}/app`: the instances' boot and app streams (`{instance}/boot`, `{instance}/app`). */
export function appLogGroupName(deploymentId: string): string {
  return `/hrapp/${deploymentId}/app`;
}

/** Where RDS exports the database's PostgreSQL log. */
export function databaseLogGroupName(deploymentId: string): string {
  return `/aws/rds/instance/${databaseInstanceIdentifier(deploymentId)}/postgresql`;
}

/** `hrapp-{id}-{resource}`: every physical name and stack name of a team. */
export function resourceName(deploymentId: string, resource: string): string {
  return `${deploymentPrefix(deploymentId)}-${resource}`;
}

/** `hrapp-{id}`: the prefix of every name. */
export function deploymentPrefix(deploymentId: string): string {
  return `hrapp-${deploymentId}`;
}

/** Fixed, so alarms and the lab-hours schedule can name the database without a reference. */
export function databaseInstanceIdentifier(deploymentId: string): string {
  return resourceName(deploymentId, 'db');
}

/** `hrapp-{id}-logs-{account}-{region}`: access logs and flow logs of a production deployment. */
export function logBucketName(deploymentId: string): string {
  return `${resourceName(deploymentId, 'logs')}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** `hrapp-{id}-{region}`: names of things that are global to the account (dashboard, budget). */
export function accountWideName(deploymentId: string): string {
  return `${deploymentPrefix(deploymentId)}-${Aws.REGION}`;
}

export function stackName(deploymentId: string, kind: TeamStackKind): string {
  return resourceName(deploymentId, kind);
}

/**
 * `hrapp-{id}-uploads-{account}-{region}`: globally unique (one team id in two regions does not
 * clash), and known to every stack without a reference.
 */
export function uploadsBucketName(deploymentId: string): string {
  return `${resourceName(deploymentId, 'uploads')}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/**
 * Fixed, so the storage stack can name it in the bucket policy before the compute stack exists.
 * IAM names are global to the account: the region keeps one team id in two regions apart.
 */
export function instanceRoleName(deploymentId: string): string {
  return `${resourceName(deploymentId, 'ec2-role')}-${Aws.REGION}`;
}

/** `Environment` tells scripts/teardown a production deployment, whose data must survive, from a lab one. */
export function deploymentTags(config: Pick<DeploymentConfig, 'deploymentId' | 'owner' | 'environment'>): Record<string, string> {
  return { Project: PROJECT_TAG, DeploymentID: config.deploymentId, Owner: config.owner, Environment: config.environment };
}

export function isLab(config: Pick<DeploymentConfig, 'environment'>): boolean {
  return config.environment === 'lab';
}

/** Lab copies leave nothing behind; production keeps its data when a stack is deleted. */
export function statefulRemovalPolicy(config: Pick<DeploymentConfig, 'environment'>): RemovalPolicy {
  return isLab(config) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/**
 * `hrapp-{id}-{resource}` in production. A lab copy appends the first block of its stack's
 * UUID: a redeploy never collides with a secret of the same name that is pending deletion.
 */
export function secretName(config: Pick<DeploymentConfig, 'deploymentId' | 'environment'>, resource: string): string {
  const base = resourceName(config.deploymentId, resource);
  if (!isLab(config)) return base;
  const stackUuidPrefix = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
  return `${base}-${stackUuidPrefix}`;
}
