import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildHrapp } from '../bin/app.ts';
import { PRODUCTION, dummyPackage, synth } from './support.ts';

/** Every acknowledgement recorded in the app, with where it was made. */
function acknowledgements(app: App): { path: string; id: string; reason: string }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^Annotation::/, ''), reason })),
      ),
  );
}

describe('cdk-nag AwsSolutions over the whole app', () => {
  for (const [label, context] of [
    ['lab defaults', { deployment_id: 'naglab' }],
    ['production, dual NAT, Multi-AZ, ELB health, narrow CIDR', {
      deployment_id: 'nagprod', ...PRODUCTION, nat_mode: 'dual', db_multi_az: true, asg_health_check: 'elb', allowed_ingress_cidr: '198.51.100.0/24',
    }],
  ] as const) {
    it(`finds nothing unacknowledged (${label}), and every acknowledgement gives its reason`, () => {
      const { stacks } = synth(context);
      const acks = acknowledgements(stacks.network.node.root as App);
      assert.ok(acks.length >= 10, `${acks.length} acknowledgements`);
      for (const ack of acks) {
        assert.match(ack.id, /^(AwsSolutions-[A-Z]+\d+(\[.+\])?|@aws-cdk\/.+|CloudFormation-Validate::.+)$/, ack.path);
        assert.ok(ack.reason.length >= 40, `${ack.path} ${ack.id}: reason too thin: '${ack.reason}'`);
      }
    });
  }

  it('acknowledges only findings the configuration produces', () => {
    const wide = acknowledgements(synth({ deployment_id: 'nagwide' }).stacks.network.node.root as App).map((ack) => ack.id);
    const narrow = acknowledgements(
      synth({ deployment_id: 'nagnarrow', allowed_ingress_cidr: '198.51.100.0/24', db_multi_az: true, ...PRODUCTION }).stacks.network.node.root as App,
    ).map((ack) => ack.id);
    for (const id of ['AwsSolutions-EC23', 'AwsSolutions-RDS3', 'AwsSolutions-RDS10', 'AwsSolutions-VPC7', 'AwsSolutions-ELB2']) {
      assert.ok(wide.includes(id), `${id} acknowledged where it applies`);
      assert.ok(!narrow.includes(id), `${id} not acknowledged where it does not apply`);
    }
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'hrapp-cdk-out-'));
    const app = new App({ context: { deployment_id: 'nagfail', owner: 'x', app_package: dummyPackage }, outdir });
    const { compute } = buildHrapp(app);
    new iam.Policy(compute, 'TooBroad', {
      statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
      roles: [iam.Role.fromRoleName(compute, 'SomeRole', 'some-role')],
    });
    assert.throws(() => app.synth(), /Validation failed/);
    const report = readFileSync(path.join(outdir, 'validation-report.json'), 'utf8');
    assert.match(report, /AwsSolutions-IAM5/);
    assert.match(report, /hrapp-nagfail-compute\/TooBroad/);
  });
});
