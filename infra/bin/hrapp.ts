import { App } from 'aws-cdk-lib';
import { ValidationError } from '../lib/errors.ts';
import { buildHrapp } from './app.ts';

// Entry point of `cdk synth|deploy` (see cdk.json): a bad parameter is one line, not a stack trace.
try {
  const app = new App();
  buildHrapp(app);
  app.synth();
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
