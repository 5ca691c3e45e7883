import { App } from 'aws-cdk-lib';
import { ValidationError } from '../lib/errors.ts';
import { buildHrapp } from './app.ts';

// Entry point of `cdk synth|deploy` (see cdk.json): a bad parameter is one line, not a stack trace.
try {
  const app = new App();
  // The CLI's target region (its profile, AWS_REGION, or us-east-1), where region-agnostic stacks deploy.
  buildHrapp(app, process.env.CDK_DEFAULT_REGION);
  app.synth();
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
