import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmTopic } from './alarm-topic.ts';

/** Thresholds of the alarms; docs/deploy.md lists them. */
export const ALARM_THRESHOLDS = {
  /** 5xx answers in 5 minutes, from the targets or from the load balancer itself. */
  http5xxPer5Minutes: 10,
  /** p90 of the targets' response time, in seconds, for 15 minutes. */
  responseTimeP90Seconds: 1,
  databaseCpuPercent: 80,
  databaseFreeStorageBytes: 2 * 1024 ** 3,
  /** The fleet's pools hold at most 4 x 10; db.t3.micro allows about 80. */
  databaseConnections: 60,
} as const;

export interface MonitoringProps {
  /** `hrapp-{id}`: the topic and alarm names start with it. */
  readonly namePrefix: string;
  /** Dashboards are global to the account: the name carries the region. */
  readonly dashboardName: string;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly databaseInstanceIdentifier: string;
  readonly natGatewayIds: readonly string[];
  /** The secrets whose failed rotation alarms: the app's and the master's. */
  readonly rotatedSecrets: readonly secretsmanager.ISecret[];
  readonly alarmEmail?: string;
  /** The web ACL's metric name, when the firewall is on. */
  readonly webAclName?: string;
}

/**
 * One deployment's alarms, the SNS topic they notify, and a dashboard of its health. Missing
 * data never alarms: outside lab hours the fleet and database are stopped on purpose.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { namePrefix } = props;

    this.topic = alarmTopic(this, 'AlarmTopic', { topicName: `${namePrefix}-alarms`, displayName: `${namePrefix} alarms`, email: props.alarmEmail });
    // AWS Budgets publishes its notifications as the service, for this account only.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BudgetNotifications',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    const tg = props.targetGroup.metrics;
    const lb = props.loadBalancer.metrics;
    const fiveMinutes = Duration.minutes(5);
    const database = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBInstanceIdentifier: props.databaseInstanceIdentifier },
        statistic,
        period: fiveMinutes,
      });
    const natPortErrors = props.natGatewayIds.map(
      (natGatewayId) =>
        new cloudwatch.Metric({ namespace: 'AWS/NATGateway', metricName: 'ErrorPortAllocation', dimensionsMap: { NatGatewayId: natGatewayId }, statistic: 'Sum', period: fiveMinutes }),
    );

    const alarm = (name: string, description: string, metric: cloudwatch.IMetric, threshold: number, options: Partial<cloudwatch.CreateAlarmOptions> = {}) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmName: `${namePrefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      created.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };

    alarm('unhealthy-targets', 'An instance fails /health for 3 minutes: see its journal through Session Manager.', tg.unhealthyHostCount({ statistic: 'Maximum', period: Duration.minutes(1) }), 1, {
      evaluationPeriods: 3,
    });
    alarm('target-5xx', 'The app answers 5xx: see its log group.', tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: fiveMinutes }), ALARM_THRESHOLDS.http5xxPer5Minutes);
    alarm('load-balancer-5xx', 'The load balancer answers 5xx itself: no healthy target, or targets refuse connections.', lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes }), ALARM_THRESHOLDS.http5xxPer5Minutes);
    alarm('response-time', 'The p90 response time stays above 1 s: database or CPU saturation.', tg.targetResponseTime({ statistic: 'p90', period: fiveMinutes }), ALARM_THRESHOLDS.responseTimeP90Seconds, {
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm('database-cpu', 'Database CPU above 80% for 15 minutes.', database('CPUUtilization', 'Average'), ALARM_THRESHOLDS.databaseCpuPercent, { evaluationPeriods: 3 });
    alarm('database-free-storage', 'Less than 2 GiB of database storage left.', database('FreeStorageSpace', 'Minimum'), ALARM_THRESHOLDS.databaseFreeStorageBytes, {
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    alarm('database-connections', 'More database connections than the fleet\'s pools can hold: a leak or a foreign client.', database('DatabaseConnections', 'Maximum'), ALARM_THRESHOLDS.databaseConnections);
    natPortErrors.forEach((metric, index) =>
      alarm(`nat-port-allocation-${index + 1}`, 'A NAT gateway could not allocate a source port: too many concurrent outbound connections.', metric, 1),
    );

    // Secrets Manager reports a failed rotation as a service event, not as a metric.
    const rotationFailed = new events.Rule(this, 'RotationFailed', {
      ruleName: `${namePrefix}-rotation-failed`,
      description: 'A database secret failed to rotate: the app keeps working on the current password; see the rotation function log.',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['RotationFailed', 'RotationAbandoned'], additionalEventData: { SecretId: props.rotatedSecrets.map((secret) => secret.secretArn) } },
      },
    });
    // The target is bound by hand: events-targets' SnsTopic grants EventBridge publishing from any
    // rule of any account; this statement admits this rule only.
    rotationFailed.addTarget({ bind: () => ({ arn: this.topic.topicArn }) });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RotationFailedEvents',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rotationFailed.ruleArn }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: `${namePrefix}: alarms`, alarms: this.alarms, width: 24, height: 3 }));
    dashboard.addWidgets(
      graph('Requests and errors', [lb.requestCount({ period: fiveMinutes }), tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: fiveMinutes }), lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes })]),
      graph('Response time (p50, p90, p99)', ['p50', 'p90', 'p99'].map((statistic) => tg.targetResponseTime({ statistic, period: fiveMinutes }))),
      graph('Targets', [tg.healthyHostCount({ statistic: 'Minimum', period: Duration.minutes(1) }), tg.unhealthyHostCount({ statistic: 'Maximum', period: Duration.minutes(1) })]),
    );
    dashboard.addWidgets(
      graph('Database CPU %', [database('CPUUtilization', 'Average')]),
      graph('Database connections', [database('DatabaseConnections', 'Maximum')]),
      graph('Database free storage (bytes)', [database('FreeStorageSpace', 'Minimum')]),
    );
    const lastRow: cloudwatch.IWidget[] = [graph('NAT port allocation errors', natPortErrors, 12)];
    if (props.webAclName) {
      lastRow.push(
        graph(
          'Web firewall: blocked requests',
          [
            new cloudwatch.Metric({
              namespace: 'AWS/WAFV2',
              metricName: 'BlockedRequests',
              dimensionsMap: { WebACL: props.webAclName, Region: Aws.REGION, Rule: 'ALL' },
              statistic: 'Sum',
              period: fiveMinutes,
            }),
          ],
          12,
        ),
      );
    }
    dashboard.addWidgets(...lastRow);
  }
}
