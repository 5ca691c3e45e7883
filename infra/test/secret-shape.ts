import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';

/**
 * The keys of the app's database secret (the secrets stack's) as the instances read it: what
 * the template generates (SecretStringTemplate plus the generated key) and what Secrets Manager's attachment to the
 * target adds at deploy time (AWS::SecretsManager::SecretTargetAttachment, per target type).
 * The AWS system tests (tests/aws) build their secrets from this, so the app is tested against
 * the secret the stacks really produce.
 */
export const ATTACHMENT_KEYS: Record<string, readonly string[]> = {
  'AWS::RDS::DBInstance': ['engine', 'host', 'port', 'dbInstanceIdentifier'],
};

/** Each key of the secret with the value the template fixes, or null when AWS fills it in. */
export type SecretShape = Record<string, string | null>;

export function secretShapeOf(data: Template): SecretShape {
  const resources = Object.values(data.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>);
  const secrets = resources.filter((resource) => resource.Type === 'AWS::SecretsManager::Secret');
  const attachments = resources.filter((resource) => resource.Type === 'AWS::SecretsManager::SecretTargetAttachment');
  if (secrets.length !== 1 || attachments.length !== 1) {
    throw new Error(`expected one secret and one attachment, found ${secrets.length} and ${attachments.length}`);
  }
  const generate = secrets[0].Properties.GenerateSecretString;
  const shape: SecretShape = { ...secretStringTemplate(generate.SecretStringTemplate), [generate.GenerateStringKey]: null };
  const added = ATTACHMENT_KEYS[attachments[0].Properties.TargetType];
  if (added === undefined) throw new Error(`unknown attachment target ${attachments[0].Properties.TargetType}`);
  for (const key of added) shape[key] = null;
  return shape;
}

/** The template's fixed values; a value CloudFormation fills in (an ARN from another stack) is null. */
function secretStringTemplate(template: string | { 'Fn::Join': [string, unknown[]] }): SecretShape {
  const TOKEN = '@@filled-in-by-cloudformation@@';
  const text = typeof template === 'string' ? template : template['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : TOKEN)).join(template['Fn::Join'][0]);
  return Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, string>).map(([key, value]) => [key, value.includes(TOKEN) ? null : value]));
}

// `node --import tsx infra/test/secret-shape.ts` prints the shape of a synthesized lab deployment.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { synth } = await import('./support.ts');
  process.stdout.write(`${JSON.stringify(secretShapeOf(synth({ deployment_id: 'shape01' }).secrets))}\n`);
}
