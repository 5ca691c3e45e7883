import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { readDeploymentConfig } from '../lib/config.ts';
import { REQUESTS_PER_TARGET_PER_MINUTE } from '../lib/stacks/compute-stack.ts';
import { LOG_RETENTION_DAYS } from '../lib/stacks/network-stack.ts';
import { PRODUCTION, TEST_CERTIFICATE_ARN, flatten, only, resourcesOf, synth } from './support.ts';

// Production mode: HTTPS, the web firewall, audit logs; and what both modes share (scaling, S3 endpoint).
const lab = synth({ deployment_id: 'edgelab' });
const labWaf = synth({ deployment_id: 'edgelabwaf', waf: 'true' });
const labHttps = synth({ deployment_id: 'edgelabtls', certificate_arn: TEST_CERTIFICATE_ARN });
const production = synth({ deployment_id: 'edgeprod', ...PRODUCTION });

const listeners = (template: typeof lab.compute) =>
  Object.fromEntries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([, listener]) => [listener.Properties!.Port, listener.Properties!]));

describe('HTTPS at the load balancer', () => {
  it('serves HTTPS on 443 with the certificate and a current TLS policy, forwarding to the app', () => {
    const https = listeners(production.compute)[443];
    assert.equal(https.Protocol, 'HTTPS');
    assert.deepEqual(https.Certificates, [{ CertificateArn: TEST_CERTIFICATE_ARN }]);
    assert.equal(https.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.equal(https.DefaultActions[0].Type, 'forward');
  });

  it('redirects port 80 to HTTPS permanently, forwarding nothing over HTTP', () => {
    const http = listeners(production.compute)[80];
    assert.equal(http.Protocol, 'HTTP');
    assert.deepEqual(http.DefaultActions, [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]);
    assert.equal(Object.keys(listeners(production.compute)).length, 2);
  });

  it('gives a lab with a certificate the same listeners', () => {
    assert.deepEqual(Object.keys(listeners(labHttps.compute)), ['80', '443']);
    assert.equal(listeners(labHttps.compute)[80].DefaultActions[0].Type, 'redirect');
  });

  it('keeps a lab without a certificate on plain HTTP 80', () => {
    assert.deepEqual(Object.keys(listeners(lab.compute)), ['80']);
    assert.equal(listeners(lab.compute)[80].DefaultActions[0].Type, 'forward');
  });

  it('tells the app it is served over HTTPS only, and a plain-HTTP lab that it is not', () => {
    const env = (template: typeof lab.compute) => flatten(only(template, 'AWS::EC2::LaunchTemplate')[1].Properties!.LaunchTemplateData.UserData['Fn::Base64']);
    assert.match(env(production.compute), /^HTTPS_ONLY=true$/m);
    assert.match(env(labHttps.compute), /^HTTPS_ONLY=true$/m);
    assert.match(env(lab.compute), /^HTTPS_ONLY=false$/m);
  });

  it('says the scheme in the AppUrl output', () => {
    assert.match(flatten(production.compute.toJSON().Outputs.AppUrl.Value), /^https:\/\/\{Fn::GetAtt:\["LoadBalancer\w+","DNSName"\]\}\/$/);
    assert.match(flatten(lab.compute.toJSON().Outputs.AppUrl.Value), /^http:\/\//);
  });

  it('fails production without a certificate, saying why in one line', () => {
    assert.throws(
      () => readDeploymentConfig((key) => ({ deployment_id: 'prod01', owner: 'x', environment: 'production' })[key]),
      /^ValidationError: environment=production needs certificate_arn .*plain HTTP$/m,
    );
  });

  it('fails on a certificate_arn that is no ACM certificate, showing it', () => {
    assert.throws(() => synth({ deployment_id: 'badcert', certificate_arn: 'arn:aws:iam::111122223333:server-certificate/x' }), /certificate_arn must be .* got 'arn:aws:iam::111122223333:server-certificate\/x'/);
  });
});

describe('web firewall', () => {
  const [aclId, acl] = only(production.compute, 'AWS::WAFv2::WebACL');
  const rules: Record<string, any>[] = acl.Properties!.Rules;

  it('is a regional web ACL on the load balancer, allowing by default', () => {
    assert.equal(acl.Properties!.Name, 'hrapp-edgeprod-waf');
    assert.equal(acl.Properties!.Scope, 'REGIONAL');
    assert.deepEqual(acl.Properties!.DefaultAction, { Allow: {} });
    const [, association] = only(production.compute, 'AWS::WAFv2::WebACLAssociation');
    assert.deepEqual(association.Properties!.WebACLArn, { 'Fn::GetAtt': [aclId, 'Arn'] });
    assert.deepEqual(association.Properties!.ResourceArn, { Ref: only(production.compute, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0] });
  });

  it("uses AWS's common and known-bad-inputs rule groups; the common body-size rule only counts, so photos upload", () => {
    const managed = rules.filter((rule) => rule.Statement.ManagedRuleGroupStatement).map((rule) => rule.Statement.ManagedRuleGroupStatement);
    assert.deepEqual([...new Set(managed.map((group) => `${group.VendorName}/${group.Name}`))], ['AWS/AWSManagedRulesCommonRuleSet', 'AWS/AWSManagedRulesKnownBadInputsRuleSet']);
    assert.deepEqual(managed[0].RuleActionOverrides, [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    assert.equal(managed[2].RuleActionOverrides, undefined);
    for (const rule of rules.filter((rule) => rule.Statement.ManagedRuleGroupStatement)) assert.deepEqual(rule.OverrideAction, { None: {} });
  });

  it('lets only count the body-inspecting rules on photo uploads and the CSV import, and applies them whole elsewhere', () => {
    const uploads = {
      AndStatement: {
        Statements: [
          { OrStatement: { Statements: ['POST', 'PUT', 'PATCH'].map((method) => ({ ByteMatchStatement: { FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchString: method, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } })) } },
          { ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'STARTS_WITH', SearchString: '/employees', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
        ],
      },
    };
    const byName = Object.fromEntries(rules.map((rule) => [rule.Name, rule]));
    const counted = (name: string) => (byName[name].Statement.ManagedRuleGroupStatement.RuleActionOverrides ?? []).map((override: any) => [override.Name, Object.keys(override.ActionToUse)[0]]);
    for (const group of ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']) {
      assert.deepEqual(byName[group].Statement.ManagedRuleGroupStatement.ScopeDownStatement, { NotStatement: { Statement: uploads } }, group);
      assert.deepEqual(byName[`${group}-Uploads`].Statement.ManagedRuleGroupStatement.ScopeDownStatement, uploads, `${group}-Uploads`);
    }
    assert.deepEqual(counted('AWSManagedRulesCommonRuleSet-Uploads'), ['SizeRestrictions_BODY', 'EC2MetaDataSSRF_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'CrossSiteScripting_BODY'].map((name) => [name, 'Count']));
    assert.deepEqual(counted('AWSManagedRulesKnownBadInputsRuleSet-Uploads'), ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'].map((name) => [name, 'Count']));
    assert.deepEqual(rules.map((rule) => rule.Priority), [0, 1, 2, 3, 4]);
  });

  it('blocks an address that sends more than 2,000 requests in 5 minutes to exactly /login, /register or /password-reset: a flood guard, not a guess limit', () => {
    const rule = rules.find((candidate) => candidate.Statement.RateBasedStatement)!;
    assert.deepEqual(rule.Action, { Block: {} });
    const rate = rule.Statement.RateBasedStatement;
    assert.deepEqual([rate.Limit, rate.EvaluationWindowSec, rate.AggregateKeyType], [2000, 300, 'IP']);
    const paths = rate.ScopeDownStatement.OrStatement.Statements.map((statement: any) => statement.ByteMatchStatement);
    assert.deepEqual(paths.map((match: any) => [match.SearchString, match.PositionalConstraint, JSON.stringify(match.FieldToMatch)]), [
      ['/login', 'EXACTLY', '{"UriPath":{}}'],
      ['/register', 'EXACTLY', '{"UriPath":{}}'],
      ['/password-reset', 'EXACTLY', '{"UriPath":{}}'],
    ]);
    assert.equal(rule.Priority, 0, 'the rate limit is evaluated first');
  });

  it('is off in lab mode by default and on with waf=true', () => {
    lab.compute.resourceCountIs('AWS::WAFv2::WebACL', 0);
    labWaf.compute.resourceCountIs('AWS::WAFv2::WebACL', 1);
    labWaf.compute.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('fails waf=false in production', () => {
    assert.throws(() => synth({ deployment_id: 'nowaf', ...PRODUCTION, waf: 'false' }), /waf=false is for lab mode only/);
  });
});

describe('scaling and network cost', () => {
  it('tracks requests per target between the fleet minimum and maximum', () => {
    for (const { compute } of [lab, production]) {
      const [, policy] = only(compute, 'AWS::AutoScaling::ScalingPolicy');
      const tracking = policy.Properties!.TargetTrackingConfiguration;
      assert.equal(policy.Properties!.PolicyType, 'TargetTrackingScaling');
      assert.equal(tracking.TargetValue, REQUESTS_PER_TARGET_PER_MINUTE);
      assert.equal(tracking.PredefinedMetricSpecification.PredefinedMetricType, 'ALBRequestCountPerTarget');
      assert.match(flatten(tracking.PredefinedMetricSpecification.ResourceLabel), /LoadBalancer.*\/.*App/);
    }
  });

  it('routes S3 traffic of the private subnets through a gateway endpoint, not the NAT gateway', () => {
    for (const { network } of [lab, production]) {
      const [, endpoint] = only(network, 'AWS::EC2::VPCEndpoint');
      assert.equal(endpoint.Properties!.VpcEndpointType, 'Gateway');
      assert.match(flatten(endpoint.Properties!.ServiceName), /^com\.amazonaws\.\{AWS::Region\}\.s3$/);
      const tables = endpoint.Properties!.RouteTableIds.map(flatten).join(' ');
      assert.match(tables, /privateSubnet1RouteTable.*privateSubnet2RouteTable/);
    }
  });
});

describe('audit trails', () => {
  const [bucketId, bucket] = only(production.network, 'AWS::S3::Bucket');

  it('keeps a private, encrypted, TLS-only log bucket in production, expiring logs after 90 days', () => {
    assert.equal(flatten(bucket.Properties!.BucketName), 'hrapp-edgeprod-logs-{AWS::AccountId}-{AWS::Region}');
    assert.deepEqual(bucket.Properties!.BucketEncryption.ServerSideEncryptionConfiguration, [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    assert.deepEqual(bucket.Properties!.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    assert.deepEqual(bucket.Properties!.LifecycleConfiguration.Rules, [{ Id: 'expire-logs', ExpirationInDays: LOG_RETENTION_DAYS, Status: 'Enabled' }]);
    assert.equal(bucket.DeletionPolicy, 'Retain');
    assert.equal(only(production.network, 'AWS::S3::BucketPolicy')[1].DeletionPolicy, 'Retain', 'the policy lives as long as the bucket');
    production.network.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('writes every VPC flow to the log bucket in production', () => {
    const [, flowLog] = only(production.network, 'AWS::EC2::FlowLog');
    assert.equal(flowLog.Properties!.ResourceType, 'VPC');
    assert.equal(flowLog.Properties!.TrafficType, 'ALL');
    assert.equal(flowLog.Properties!.LogDestinationType, 's3');
    assert.match(flatten(flowLog.Properties!.LogDestination), new RegExp(`\\{Fn::GetAtt:\\["${bucketId}","Arn"\\]\\}/vpc-flow-logs/`));
  });

  it("admits the flow log's delivery in the bucket policy itself, so a later policy update keeps it", () => {
    const statements: any[] = only(production.network, 'AWS::S3::BucketPolicy')[1].Properties!.PolicyDocument.Statement;
    const fromLogDelivery = statements.filter((statement) => statement.Principal?.Service === 'delivery.logs.amazonaws.com');
    assert.deepEqual(fromLogDelivery.map((statement) => statement.Action), ['s3:PutObject', ['s3:GetBucketAcl', 's3:ListBucket']]);
    const put = fromLogDelivery.find((statement) => statement.Action === 's3:PutObject');
    assert.match(flatten(put.Resource), /\/vpc-flow-logs\/AWSLogs\/\{AWS::AccountId\}\/\*$/);
    assert.deepEqual(put.Condition.StringEquals['aws:SourceAccount'], { Ref: 'AWS::AccountId' });
  });

  it('writes load balancer access logs to the log bucket in production, which admits their delivery', () => {
    const [, lb] = only(production.compute, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const attributes = Object.fromEntries(lb.Properties!.LoadBalancerAttributes.map((a: any) => [a.Key, flatten(a.Value)]));
    assert.equal(attributes['access_logs.s3.enabled'], 'true');
    assert.match(attributes['access_logs.s3.bucket'], /^\{Fn::ImportValue:"hrapp-edgeprod-network:ExportsOutputRefLogBucket\w+"\}$/);
    assert.equal(attributes['access_logs.s3.prefix'], 'load-balancer');
    const [, policy] = only(production.network, 'AWS::S3::BucketPolicy');
    const delivery = policy.Properties!.PolicyDocument.Statement.find((statement: any) => statement.Sid === 'LoadBalancerAccessLogs');
    assert.deepEqual(delivery.Action, 's3:PutObject');
    assert.equal(delivery.Principal.Service, 'logdelivery.elasticloadbalancing.amazonaws.com');
    // Which account, region by region, is regions.test.ts's to check.
    assert.deepEqual(Object.keys(delivery.Principal.AWS), ['Fn::If']);
    assert.equal(production.network.toJSON().Mappings, undefined, 'no per-region table that a new region lacks');
    assert.match(flatten(delivery.Resource), /\/load-balancer\/AWSLogs\/\{AWS::AccountId\}\/\*$/);
  });

  it('has neither in lab mode (acknowledged with the reason in the nag test)', () => {
    lab.network.resourceCountIs('AWS::S3::Bucket', 0);
    lab.network.resourceCountIs('AWS::EC2::FlowLog', 0);
    const [, lb] = only(lab.compute, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    assert.ok(!JSON.stringify(lb.Properties!.LoadBalancerAttributes ?? []).includes('access_logs'));
  });
});

