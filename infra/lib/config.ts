import { ValidationError } from './errors.ts';

/** The parameters of one team's deployment, read from cdk.json context or `-c key=value`. */
export interface DeploymentConfig {
  /** Names every resource `hrapp-{deploymentId}-…` and tags it `DeploymentID`. */
  readonly deploymentId: string;
  /** Tagged `Owner` on every resource. */
  readonly owner: string;
  /** Who may reach the load balancer on ports 80 and 443. */
  readonly allowedIngressCidr: string;
  /** One NAT gateway in the first zone (`single`), or one per zone (`dual`). */
  readonly natMode: 'single' | 'dual';
  /** A standby database instance in the second zone. */
  readonly dbMultiAz: boolean;
  readonly ec2InstanceType: string;
  readonly dbInstanceClass: string;
  /** `lab` tears down without leftovers; `production` keeps data (deletion protection, snapshots). */
  readonly environment: 'lab' | 'production';
  /** What makes the Auto Scaling group replace an instance: EC2 status only, or also the ALB's `/health`. */
  readonly asgHealthCheck: 'ec2' | 'elb';
  /**
   * The Amazon Linux 2023 x86_64 image of the instances, pinned so that a redeploy does not
   * replace every instance when a new image is published; unset, the latest at each deploy.
   */
  readonly amiId: string | undefined;
}

/** Reads one context value; `undefined` when absent. */
export type ContextReader = (key: string) => unknown;

export const DEPLOYMENT_ID_PATTERN = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;
const OWNER_MAX_LENGTH = 64;
const EC2_INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const DB_INSTANCE_CLASS_PATTERN = /^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Parses and validates every parameter; the first bad one fails synthesis with its value. */
export function readDeploymentConfig(context: ContextReader): DeploymentConfig {
  const deploymentId = requiredString(context, 'deployment_id');
  if (!DEPLOYMENT_ID_PATTERN.test(deploymentId)) {
    throw new ValidationError(
      `deployment_id must be 3-20 characters of a-z, 0-9 and '-', start with a letter and not end with '-', got '${deploymentId}'`,
    );
  }
  if (deploymentId.includes('--')) {
    throw new ValidationError(`deployment_id must not contain '--' (RDS refuses two hyphens in a row in hrapp-{id}-db), got '${deploymentId}'`);
  }
  const owner = requiredString(context, 'owner');
  if (owner.trim().length === 0 || owner.length > OWNER_MAX_LENGTH) {
    throw new ValidationError(`owner must be 1-${OWNER_MAX_LENGTH} characters, got '${owner}'`);
  }
  if (!/^[\p{L}\p{N} _.:/=+\-@]+$/u.test(owner)) {
    throw new ValidationError(`owner may hold only letters, digits, spaces and _ . : / = + - @ (a tag value), got '${owner}'`);
  }
  return {
    deploymentId,
    owner,
    allowedIngressCidr: ipv4Cidr(optionalString(context, 'allowed_ingress_cidr', '0.0.0.0/0'), 'allowed_ingress_cidr'),
    natMode: oneOf(context, 'nat_mode', ['single', 'dual'], 'single'),
    dbMultiAz: bool(context, 'db_multi_az', false),
    ec2InstanceType: x86InstanceType(matching(context, 'ec2_instance_type', EC2_INSTANCE_TYPE_PATTERN, 't3.micro', 'like t3.micro')),
    dbInstanceClass: matching(context, 'db_instance_class', DB_INSTANCE_CLASS_PATTERN, 'db.t3.micro', 'like db.t3.micro'),
    environment: oneOf(context, 'environment', ['lab', 'production'], 'lab'),
    asgHealthCheck: oneOf(context, 'asg_health_check', ['ec2', 'elb'], 'ec2'),
    amiId: amiId(context),
  };
}

/**
 * Graviton families carry a `g` after the generation digit (t4g, m6gd, c7gn, is4gen); a1 and
 * mac are not x86 either. The package holds an x86_64 binary, which such an instance cannot run.
 */
const NON_X86_FAMILY = /^(a1|mac\d.*|[a-z]+\d+[a-z-]*g[a-z-]*)$/;

function x86InstanceType(value: string): string {
  const family = value.split('.')[0];
  if (NON_X86_FAMILY.test(family)) {
    throw new ValidationError(`ec2_instance_type must be an x86_64 type (the app package is x86_64), got '${value}'`);
  }
  return value;
}

function amiId(context: ContextReader): string | undefined {
  const value = context('ami_id');
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(value)) {
    throw new ValidationError(`ami_id must be an image id like ami-0123456789abcdef0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requiredString(context: ContextReader, key: string): string {
  const value = context(key);
  if (value === undefined || value === null || value === '') {
    throw new ValidationError(`${key} is required: pass -c ${key}=…`);
  }
  if (typeof value !== 'string') {
    throw new ValidationError(`${key} must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalString(context: ContextReader, key: string, fallback: string): string {
  const value = context(key);
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    throw new ValidationError(`${key} must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function oneOf<T extends string>(context: ContextReader, key: string, allowed: readonly T[], fallback: T): T {
  const value = optionalString(context, key, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${key} must be one of ${allowed.join('|')}, got '${value}'`);
  }
  return value as T;
}

function matching(context: ContextReader, key: string, pattern: RegExp, fallback: string, hint: string): string {
  const value = optionalString(context, key, fallback);
  if (!pattern.test(value)) {
    throw new ValidationError(`${key} must be an instance type ${hint}, got '${value}'`);
  }
  return value;
}

/** Context from cdk.json is JSON (a boolean); from `-c` it is a string. */
function bool(context: ContextReader, key: string, fallback: boolean): boolean {
  const value = context(key);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ValidationError(`${key} must be true or false, got ${JSON.stringify(value)}`);
}

function ipv4Cidr(value: string, key: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const octets = match?.slice(1, 5).map(Number);
  const prefix = Number(match?.[5]);
  if (!match || octets!.some((octet) => octet > 255) || prefix > 32) {
    throw new ValidationError(`${key} must be an IPv4 CIDR like 203.0.113.0/24, got '${value}'`);
  }
  const address = octets!.reduce((acc, octet) => acc * 256 + octet, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    throw new ValidationError(`${key} has host bits set (security group rules reject it), got '${value}'`);
  }
  return value;
}
