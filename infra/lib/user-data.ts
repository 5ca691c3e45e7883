import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY_DIR } from './app-package.ts';
import { ValidationError } from './errors.ts';

export const USER_DATA_TEMPLATE = path.join(DEPLOY_DIR, 'user-data.sh');
const PLACEHOLDER = /@@([A-Z0-9_]+)@@/g;

/** What the instance needs to know; values may be CDK tokens (ARNs, names resolved at deploy). */
export interface UserDataValues {
  readonly RUNTIME_PACKAGES: string;
  readonly PACKAGE_S3_URL: string;
  readonly AWS_REGION: string;
  readonly APP_PORT: string;
  readonly DB_SECRET_ARN: string;
  readonly S3_BUCKET_NAME: string;
  readonly DEPLOYMENT_ID: string;
  readonly LOG_GROUP_NAME: string;
  /** Where the instance sends its CloudFormation signal: the compute stack and the group's logical id. */
  readonly STACK_NAME: string;
  readonly FLEET_LOGICAL_ID: string;
  /** `true` behind an HTTPS listener: the app's cookie and HSTS depend on it. */
  readonly HTTPS_ONLY: string;
  /** The load balancer's subnets, comma-separated: the app believes X-Forwarded-For/-Proto from them only. */
  readonly TRUSTED_PROXIES: string;
}

/** Fills every `@@NAME@@` of deploy/user-data.sh; a name without a value, or a value without a use, is an error. */
export function renderUserData(values: UserDataValues, template: string = readFileSync(USER_DATA_TEMPLATE, 'utf8')): string {
  const provided = new Map(Object.entries(values));
  const used = new Set<string>();
  const rendered = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = provided.get(name);
    if (value === undefined) {
      throw new ValidationError(`${USER_DATA_TEMPLATE} uses @@${name}@@, which the CDK app does not provide`);
    }
    used.add(name);
    return value;
  });
  const unused = [...provided.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new ValidationError(`${USER_DATA_TEMPLATE} no longer uses ${unused.map((name) => `@@${name}@@`).join(', ')}`);
  }
  return rendered;
}
