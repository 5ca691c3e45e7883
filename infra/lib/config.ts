import { ValidationError } from './errors.ts';
import { databaseCalendar } from './lab-calendar.ts';

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
  /** An ACM certificate for the site's name: HTTPS on 443, 80 redirects, `__Host-` Secure cookie, HSTS. */
  readonly certificateArn?: string;
  /** An AWS WAF web ACL on the load balancer; always on in production. */
  readonly waf: boolean;
  /** Where the alarms topic sends e-mail (the recipient confirms the subscription). */
  readonly alarmEmail?: string;
  /** The AWS Budget on this deployment's `DeploymentID` tag, in USD per month. */
  readonly monthlyBudgetUsd: number;
  /** Account level (`hrapp-security` in us-east-1): the billing alarm fires above this month-to-date estimate, in USD. */
  readonly billingAlarmUsd: number;
  /** Lab mode only, off unless asked for: when the fleet and the database run; outside these hours both are stopped. */
  readonly labSchedule?: LabSchedule;
}

/** Lab hours: `start`–`end` (minutes after midnight) on `days` (cron day-of-week), in `timeZone`. */
export interface LabSchedule {
  readonly startMinute: number;
  readonly endMinute: number;
  readonly days: string;
  readonly timeZone: string;
}

/** Reads one context value; `undefined` when absent. */
export type ContextReader = (key: string) => unknown;

export const DEPLOYMENT_ID_PATTERN = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;
const OWNER_MAX_LENGTH = 64;
const EC2_INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const DB_INSTANCE_CLASS_PATTERN = /^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f-]{36}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LAB_HOURS_PATTERN = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const LAB_DAYS_PATTERN = /^(MON|TUE|WED|THU|FRI|SAT|SUN)([-,](MON|TUE|WED|THU|FRI|SAT|SUN))*$/;
const TIME_ZONE_PATTERN = /^(UTC|[A-Z][A-Za-z_]+(\/[A-Z][A-Za-z0-9_+-]+){1,2})$/;
/**
 * The database starts this long before the lab hours and stops this long after them, so the
 * fleet finds it up in the morning and has drained at night.
 */
export const DATABASE_LEAD_MINUTES = 20;

/**
 * Parses and validates every parameter; the first bad one fails synthesis with its value.
 * `deployRegion`, when known (the CLI's target region), is checked against region-bound inputs.
 */
export function readDeploymentConfig(context: ContextReader, deployRegion?: string): DeploymentConfig {
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
  const environment = oneOf(context, 'environment', ['lab', 'production'], 'lab');
  const certificateArn = optionalMatching(context, 'certificate_arn', CERTIFICATE_ARN_PATTERN, 'an ACM certificate ARN like arn:aws:acm:us-east-1:123456789012:certificate/<uuid>');
  const certificateRegion = certificateArn?.split(':')[3];
  if (certificateArn !== undefined && deployRegion !== undefined && certificateRegion !== deployRegion) {
    throw new ValidationError(
      `certificate_arn must be in the deploy region ${deployRegion} (a load balancer takes certificates from its own region only), got '${certificateArn}'`,
    );
  }
  if (environment === 'production' && certificateArn === undefined) {
    throw new ValidationError('environment=production needs certificate_arn (an ACM certificate): production never sends passwords or session cookies over plain HTTP');
  }
  const waf = bool(context, 'waf', environment === 'production');
  if (environment === 'production' && !waf) {
    throw new ValidationError('waf=false is for lab mode only: production always has the web firewall');
  }
  return {
    deploymentId,
    owner,
    allowedIngressCidr: ipv4Cidr(optionalString(context, 'allowed_ingress_cidr', '0.0.0.0/0'), 'allowed_ingress_cidr'),
    natMode: oneOf(context, 'nat_mode', ['single', 'dual'], 'single'),
    dbMultiAz: bool(context, 'db_multi_az', false),
    ec2InstanceType: x86InstanceType(matching(context, 'ec2_instance_type', EC2_INSTANCE_TYPE_PATTERN, 't3.micro', 'like t3.micro')),
    dbInstanceClass: matching(context, 'db_instance_class', DB_INSTANCE_CLASS_PATTERN, 'db.t3.micro', 'like db.t3.micro'),
    environment,
    asgHealthCheck: oneOf(context, 'asg_health_check', ['ec2', 'elb'], 'ec2'),
    amiId: amiId(context),
    certificateArn,
    waf,
    alarmEmail: optionalMatching(context, 'alarm_email', EMAIL_PATTERN, 'an e-mail address'),
    monthlyBudgetUsd: wholeNumber(context, 'monthly_budget_usd', 1, 100_000, 150),
    billingAlarmUsd: wholeNumber(context, 'billing_alarm_usd', 1, 1_000_000, 1000),
    labSchedule: environment === 'lab' ? labSchedule(context) : undefined,
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

/**
 * `lab_hours=HH:MM-HH:MM` with `lab_timezone` (and `lab_days`); absent or `always`, no lab hours.
 * A time zone is required: lab hours in an assumed UTC would stop a lab in the Americas or Asia
 * mid-session. See docs/deploy.md.
 */
function labSchedule(context: ContextReader): LabSchedule | undefined {
  const hours = optionalString(context, 'lab_hours', 'always');
  const days = optionalString(context, 'lab_days', 'MON-FRI');
  const timeZone = optionalString(context, 'lab_timezone', '');
  if (!LAB_DAYS_PATTERN.test(days) || !days.split(',').every(ascendingRange)) {
    throw new ValidationError(`lab_days must be days of the week MON..SUN like MON-FRI or MON,WED (no range past SUN), got '${days}'`);
  }
  if (timeZone !== '' && !isTimeZone(timeZone)) {
    throw new ValidationError(`lab_timezone must be an IANA time zone like Europe/Berlin or UTC, got '${timeZone}'`);
  }
  if (hours === 'always') return undefined;
  const match = LAB_HOURS_PATTERN.exec(hours);
  const [startHour, startMinute, endHour, endMinute] = (match?.slice(1) ?? []).map(Number);
  const start = startHour * 60 + startMinute;
  const end = endHour * 60 + endMinute;
  // The database's lead and lag stay within the same day, so every schedule is one cron line.
  if (!match || startMinute > 59 || endMinute > 59 || start < DATABASE_LEAD_MINUTES || end > 24 * 60 - DATABASE_LEAD_MINUTES || end <= start) {
    throw new ValidationError(`lab_hours must be HH:MM-HH:MM within 00:${DATABASE_LEAD_MINUTES}-23:${60 - DATABASE_LEAD_MINUTES}, start before end, or 'always', got '${hours}'`);
  }
  if (timeZone === '') {
    throw new ValidationError(`lab_hours must come with lab_timezone, the clock they are read on (an IANA time zone like Europe/Berlin or UTC), got lab_hours='${hours}' and no lab_timezone`);
  }
  const schedule = { startMinute: start, endMinute: end, days, timeZone };
  // Fails here, not deep in a stack, when the hours leave no room for the database's chores.
  databaseCalendar(schedule);
  return schedule;
}

/** An IANA zone this Node.js knows (and so, by the same tz database, AWS's schedulers). */
function isTimeZone(value: string): boolean {
  if (!TIME_ZONE_PATTERN.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
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

function optionalMatching(context: ContextReader, key: string, pattern: RegExp, what: string): string | undefined {
  const value = optionalString(context, key, '');
  if (value === '') return undefined;
  if (!pattern.test(value)) throw new ValidationError(`${key} must be ${what}, got '${value}'`);
  return value;
}

export const WEEK_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

function ascendingRange(part: string): boolean {
  const [first, last = first] = part.split('-');
  return WEEK_DAYS.indexOf(first) <= WEEK_DAYS.indexOf(last);
}

/** A whole number from cdk.json (a number) or `-c` (a string). */
function wholeNumber(context: ContextReader, key: string, min: number, max: number, fallback: number): number {
  const value = context(key);
  if (value === undefined) return fallback;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ValidationError(`${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
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
