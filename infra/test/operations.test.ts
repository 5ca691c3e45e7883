import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDeploymentConfig } from '../lib/config.ts';
import { unixWeekDays } from '../lib/constructs/cost-guardrails.ts';
import { PRODUCTION, flatten, only, resourcesOf, synth } from './support.ts';

// Alarms, the dashboard and the cost guardrails of one deployment.
const lab = synth({ deployment_id: 'opslab', alarm_email: 'trainer@example.com', lab_hours: '09:30-17:00', lab_timezone: 'Europe/Berlin' });
const dual = synth({ deployment_id: 'opsdual', nat_mode: 'dual', lab_hours: 'always', monthly_budget_usd: '40' });
const production = synth({ deployment_id: 'opsprod', ...PRODUCTION });

const alarmsOf = (template: typeof lab.compute): Record<string, any> =>
  Object.fromEntries(resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [alarm.Properties!.AlarmName, alarm.Properties!]));

describe('alarms', () => {
  const alarms = alarmsOf(lab.compute);
  const [topicId, topic] = only(lab.compute, 'AWS::SNS::Topic');

  it('cover targets, 5xx, latency, the database and NAT, one per NAT gateway', () => {
    assert.deepEqual(Object.keys(alarms).sort(), [
      'hrapp-opslab-database-connections',
      'hrapp-opslab-database-cpu',
      'hrapp-opslab-database-free-storage',
      'hrapp-opslab-load-balancer-5xx',
      'hrapp-opslab-nat-port-allocation-1',
      'hrapp-opslab-response-time',
      'hrapp-opslab-target-5xx',
      'hrapp-opslab-unhealthy-targets',
    ]);
    assert.deepEqual(Object.keys(alarmsOf(dual.compute)).filter((name) => name.includes('nat')).sort(), ['hrapp-opsdual-nat-port-allocation-1', 'hrapp-opsdual-nat-port-allocation-2']);
  });

  it('watch the right metrics with the documented thresholds', () => {
    const summary = (name: string) => {
      const alarm = alarms[`hrapp-opslab-${name}`];
      return [alarm.Namespace, alarm.MetricName, alarm.ExtendedStatistic ?? alarm.Statistic, alarm.ComparisonOperator, alarm.Threshold, alarm.EvaluationPeriods];
    };
    assert.deepEqual(summary('unhealthy-targets'), ['AWS/ApplicationELB', 'UnHealthyHostCount', 'Maximum', 'GreaterThanOrEqualToThreshold', 1, 3]);
    assert.deepEqual(summary('target-5xx'), ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'Sum', 'GreaterThanOrEqualToThreshold', 10, 1]);
    assert.deepEqual(summary('load-balancer-5xx'), ['AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', 'Sum', 'GreaterThanOrEqualToThreshold', 10, 1]);
    assert.deepEqual(summary('response-time'), ['AWS/ApplicationELB', 'TargetResponseTime', 'p90', 'GreaterThanThreshold', 1, 3]);
    assert.deepEqual(summary('database-cpu'), ['AWS/RDS', 'CPUUtilization', 'Average', 'GreaterThanOrEqualToThreshold', 80, 3]);
    assert.deepEqual(summary('database-free-storage'), ['AWS/RDS', 'FreeStorageSpace', 'Minimum', 'LessThanThreshold', 2 * 1024 ** 3, 1]);
    assert.deepEqual(summary('database-connections'), ['AWS/RDS', 'DatabaseConnections', 'Maximum', 'GreaterThanOrEqualToThreshold', 60, 1]);
    assert.deepEqual(summary('nat-port-allocation-1'), ['AWS/NATGateway', 'ErrorPortAllocation', 'Sum', 'GreaterThanOrEqualToThreshold', 1, 1]);
  });

  it("name this deployment's resources in their dimensions", () => {
    const dimensions = (name: string) => Object.fromEntries(alarms[`hrapp-opslab-${name}`].Dimensions.map((d: any) => [d.Name, flatten(d.Value)]));
    assert.deepEqual(dimensions('database-cpu'), { DBInstanceIdentifier: 'hrapp-opslab-db' });
    assert.match(dimensions('nat-port-allocation-1').NatGatewayId, /^\{Fn::ImportValue:"hrapp-opslab-network:ExportsOutputFnGetAttVpcpublicSubnet1NATGateway\w+GatewayId\w*"\}$/);
    assert.match(dimensions('unhealthy-targets').TargetGroup, /TargetGroupFullName/);
    assert.match(dimensions('load-balancer-5xx').LoadBalancer, /LoadBalancerFullName/);
  });

  it('notify the topic on alarm and on recovery, and stay quiet on missing data (a stopped lab)', () => {
    for (const alarm of Object.values(alarms)) {
      assert.deepEqual(alarm.AlarmActions, [{ Ref: topicId }]);
      assert.deepEqual(alarm.OKActions, [{ Ref: topicId }]);
      assert.equal(alarm.TreatMissingData, 'notBreaching');
    }
  });

  it('go to an SNS topic that takes TLS only and mails the alarm_email', () => {
    assert.equal(topic.Properties!.TopicName, 'hrapp-opslab-alarms');
    const [, subscription] = only(lab.compute, 'AWS::SNS::Subscription');
    assert.deepEqual([subscription.Properties!.Protocol, subscription.Properties!.Endpoint, subscription.Properties!.TopicArn], ['email', 'trainer@example.com', { Ref: topicId }]);
    dual.compute.resourceCountIs('AWS::SNS::Subscription', 0);
    const [, policy] = only(lab.compute, 'AWS::SNS::TopicPolicy');
    const statements: any[] = policy.Properties!.PolicyDocument.Statement;
    assert.ok(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'));
    const budgets = statements.find((s) => s.Sid === 'BudgetNotifications');
    assert.deepEqual([budgets.Principal, budgets.Action, budgets.Condition], [{ Service: 'budgets.amazonaws.com' }, 'sns:Publish', { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }]);
    // EventBridge may publish for this account's rotation rule only.
    const [ruleId] = only(lab.compute, 'AWS::Events::Rule');
    const events = statements.filter((s) => s.Principal?.Service === 'events.amazonaws.com');
    assert.deepEqual(
      events.map((s) => [s.Action, s.Condition]),
      [['sns:Publish', { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }]],
    );
  });

  it("include a failed or abandoned rotation of the app's secret and the master's, through EventBridge", () => {
    const [, rule] = only(lab.compute, 'AWS::Events::Rule');
    const pattern = rule.Properties!.EventPattern;
    assert.deepEqual(pattern.source, ['aws.secretsmanager']);
    assert.deepEqual(pattern.detail.eventName, ['RotationFailed', 'RotationAbandoned']);
    const secrets = pattern.detail.additionalEventData.SecretId.map(flatten);
    assert.equal(secrets.length, 2);
    assert.match(secrets[0], /hrapp-opslab-secrets:ExportsOutputRefAppSecretAttachment/);
    assert.match(secrets[1], /hrapp-opslab-data:ExportsOutputRefDatabaseSecretAttachment/);
    assert.deepEqual(rule.Properties!.Targets.map((target: any) => target.Arn), [{ Ref: only(lab.compute, 'AWS::SNS::Topic')[0] }]);
  });
});

describe('dashboard', () => {
  const body = (template: typeof lab.compute) => flatten(only(template, 'AWS::CloudWatch::Dashboard')[1].Properties!.DashboardBody);

  it('shows every alarm, traffic, latency, targets, the database and NAT on one page', () => {
    const [, dashboard] = only(lab.compute, 'AWS::CloudWatch::Dashboard');
    assert.equal(flatten(dashboard.Properties!.DashboardName), 'hrapp-opslab-{AWS::Region}', 'dashboards are global to the account');
    const text = body(lab.compute);
    for (const title of ['hrapp-opslab: alarms', 'Requests and errors', 'Response time', 'Targets', 'Database CPU', 'Database connections', 'Database free storage', 'NAT port allocation errors']) {
      assert.ok(text.includes(`"title":"${title}`), `widget ${title}`);
    }
    const alarmIds = resourcesOf(lab.compute, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const id of alarmIds) assert.ok(text.includes(`{Fn::GetAtt:["${id}","Arn"]}`), `alarm ${id} on the dashboard`);
  });

  it('shows blocked requests when the firewall is on', () => {
    assert.ok(body(production.compute).includes('BlockedRequests'));
    assert.ok(!body(lab.compute).includes('BlockedRequests'));
  });
});

describe('cost guardrails', () => {
  it("budget the deployment's DeploymentID tag monthly through the Budgets API, warning on actual and forecast spend", () => {
    const [, budget] = only(lab.compute, 'Custom::Budget');
    const call = (event: string) => JSON.parse(flatten(budget.Properties![event]).replace(/\{Ref:"?AWS::AccountId"?\}|\{AWS::AccountId\}/g, 'ACCOUNT'));
    const create = call('Create');
    assert.deepEqual([create.service, create.action, create.physicalResourceId.id], ['Budgets', 'createBudget', 'hrapp-opslab-{AWS::Region}']);
    assert.deepEqual(create.parameters.Budget, {
      BudgetName: 'hrapp-opslab-{AWS::Region}',
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: '150', Unit: 'USD' },
      CostFilters: { TagKeyValue: ['user:DeploymentID$opslab'] },
    });
    const topic = `{${only(lab.compute, 'AWS::SNS::Topic')[0]}}`;
    assert.deepEqual(
      create.parameters.NotificationsWithSubscribers.map((n: any) => [n.Notification.NotificationType, n.Notification.Threshold, n.Subscribers[0].SubscriptionType, n.Subscribers[0].Address]),
      [
        ['ACTUAL', 80, 'SNS', topic],
        ['FORECASTED', 100, 'SNS', topic],
      ],
    );
    assert.deepEqual([call('Update').action, call('Update').parameters.NewBudget.BudgetLimit], ['updateBudget', { Amount: '150', Unit: 'USD' }]);
    assert.deepEqual([call('Delete').action, call('Delete').ignoreErrorCodesMatching], ['deleteBudget', 'NotFoundException']);
    assert.equal(JSON.parse(flatten(only(dual.compute, 'Custom::Budget')[1].Properties!.Create)).parameters.Budget.BudgetLimit.Amount, '40');
  });

  it('let the budget function modify and view that one budget, nothing else', () => {
    const statements = resourcesOf(lab.compute, 'AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action).includes('budgets:'));
    assert.deepEqual(
      statements.map((s: any) => [s.Action, flatten(s.Resource)]),
      [[['budgets:ModifyBudget', 'budgets:ViewBudget'], 'arn:{AWS::Partition}:budgets::{AWS::AccountId}:budget/hrapp-opslab-{AWS::Region}']],
    );
  });

  it('scale the lab fleet to zero after lab hours, every day (MaxSize stays), and back to 1-4 (desired 2) on lab days', () => {
    const actions: Record<string, any> = Object.fromEntries(resourcesOf(lab.compute, 'AWS::AutoScaling::ScheduledAction').map(([, action]) => [action.Properties!.Recurrence, action.Properties!]));
    assert.deepEqual(Object.keys(actions).sort(), ['0 17 * * *', '30 9 * * 1-5']);
    const start = actions['30 9 * * 1-5'];
    const end = actions['0 17 * * *'];
    assert.deepEqual([start.MinSize, start.DesiredCapacity, start.MaxSize, start.TimeZone], [1, 2, 4, 'Europe/Berlin']);
    assert.deepEqual([end.MinSize, end.DesiredCapacity, end.MaxSize, end.TimeZone], [0, 0, 4, 'Europe/Berlin']);
    for (const action of Object.values(actions)) assert.deepEqual(action.AutoScalingGroupName, { Ref: only(lab.compute, 'AWS::AutoScaling::AutoScalingGroup')[0] });
  });

  it('start the lab database 20 minutes before lab hours and stop it 20 minutes after, retrying for up to an hour', () => {
    const schedules = Object.fromEntries(resourcesOf(lab.compute, 'AWS::Scheduler::Schedule').map(([, schedule]) => [schedule.Properties!.Name, schedule.Properties!]));
    const start = schedules['hrapp-opslab-database-start'];
    const stop = schedules['hrapp-opslab-database-stop'];
    assert.deepEqual([start.ScheduleExpression, start.ScheduleExpressionTimezone], ['cron(10 9 ? * MON-FRI *)', 'Europe/Berlin']);
    assert.deepEqual([stop.ScheduleExpression, stop.ScheduleExpressionTimezone], ['cron(20 17 * * ? *)', 'Europe/Berlin']);
    assert.equal(flatten(start.Target.Arn), 'arn:{AWS::Partition}:scheduler:::aws-sdk:rds:startDBInstance');
    assert.equal(flatten(stop.Target.Arn), 'arn:{AWS::Partition}:scheduler:::aws-sdk:rds:stopDBInstance');
    for (const schedule of [start, stop]) {
      assert.deepEqual(JSON.parse(schedule.Target.Input), { DbInstanceIdentifier: 'hrapp-opslab-db' });
      assert.deepEqual(schedule.Target.RetryPolicy, { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 });
    }
  });

  it('let the scheduler start and stop that one database, nothing else', () => {
    const [roleId, role] = only(lab.compute, 'AWS::IAM::Role', (r) => flatten(r.Properties!.RoleName) === 'hrapp-opslab-lab-hours-{AWS::Region}');
    assert.deepEqual(role.Properties!.AssumeRolePolicyDocument.Statement[0].Principal, { Service: 'scheduler.amazonaws.com' });
    const statements = resourcesOf(lab.compute, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement);
    assert.deepEqual(statements.map((s: any) => [s.Action, flatten(s.Resource)]).sort(), [
      ['rds:StartDBInstance', 'arn:{AWS::Partition}:rds:{AWS::Region}:{AWS::AccountId}:db:hrapp-opslab-db'],
      ['rds:StopDBInstance', 'arn:{AWS::Partition}:rds:{AWS::Region}:{AWS::AccountId}:db:hrapp-opslab-db'],
    ]);
  });

  it('run around the clock with lab_hours=always, and in production', () => {
    for (const { compute } of [dual, production]) {
      compute.resourceCountIs('AWS::AutoScaling::ScheduledAction', 0);
      compute.resourceCountIs('AWS::Scheduler::Schedule', 0);
      compute.resourceCountIs('Custom::Budget', 1);
    }
  });

  it('are off unless asked for, and then on weekdays by default in the given time zone', () => {
    const labSchedule = (values: Record<string, string>) => readDeploymentConfig((key) => ({ deployment_id: 'team01', owner: 'x', ...values })[key]).labSchedule;
    assert.equal(labSchedule({}), undefined);
    assert.equal(labSchedule({ lab_hours: 'always', lab_timezone: 'Asia/Tokyo' }), undefined);
    assert.deepEqual(labSchedule({ lab_hours: '08:00-18:00', lab_timezone: 'America/Chicago' }), { startMinute: 8 * 60, endMinute: 18 * 60, days: 'MON-FRI', timeZone: 'America/Chicago' });
    assert.equal(unixWeekDays('MON,WED-FRI,SUN'), '1,3-5,7');
  });

  it('fail on lab hours, days, time zones or budgets that make no schedule, showing them', () => {
    const bad: Record<string, string>[] = [
      { lab_hours: '18:00-08:00' },
      { lab_hours: '00:10-08:00' },
      { lab_hours: '08:00-23:50' },
      { lab_hours: '8-18' },
      { lab_hours: '08:61-18:00' },
      { lab_days: 'FRI-MON' },
      { lab_days: 'weekdays' },
      { lab_timezone: 'Mars/Olympus Mons' },
      { lab_timezone: 'Europe/Atlantis' },
      { lab_hours: '08:00-18:00' },
      { lab_hours: '09:00-10:30', lab_timezone: 'Europe/Berlin' },
      { monthly_budget_usd: '0' },
      { monthly_budget_usd: '12.5' },
      { alarm_email: 'not-an-address' },
    ];
    for (const values of bad) {
      const [key, value] = Object.entries(values)[0];
      assert.throws(() => readDeploymentConfig((k) => ({ deployment_id: 'team01', owner: 'x', ...values })[k]), new RegExp(`${key} must .*${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `${key}=${value}`);
    }
  });
});
