import { Aws, Duration, TimeZone, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DATABASE_LEAD_MINUTES, type LabSchedule, WEEK_DAYS } from '../config.ts';
import { awsCustomResourceFunction } from '../function-logs.ts';

export interface FleetCapacity {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

export interface CostGuardrailsProps {
  /** `hrapp-{id}`: the schedules are named after it. */
  readonly namePrefix: string;
  /** Budgets and roles are global to the account: their names carry the region. */
  readonly accountWideName: string;
  readonly deploymentId: string;
  readonly monthlyBudgetUsd: number;
  readonly topic: sns.ITopic;
  readonly fleet: autoscaling.AutoScalingGroup;
  /** What the fleet returns to at the start of lab hours. */
  readonly capacity: FleetCapacity;
  readonly databaseInstanceIdentifier: string;
  /** Lab hours; without them the deployment runs around the clock. */
  readonly labSchedule?: LabSchedule;
}

/** The budget warns at these shares of the monthly amount: actual spend, then forecast. */
export const BUDGET_ACTUAL_PERCENT = 80;
export const BUDGET_FORECAST_PERCENT = 100;

/** How long EventBridge Scheduler keeps retrying a database start or stop that failed. */
export const SCHEDULE_RETRY = { attempts: 10, maxEventAge: Duration.hours(1) };

/**
 * A monthly AWS Budget on the deployment's `DeploymentID` cost-allocation tag, and, in lab
 * mode, lab hours: outside them the fleet scales to zero and the database stops, then both
 * come back (the database first, so the fleet finds it up).
 */
export class CostGuardrails extends Construct {
  constructor(scope: Construct, id: string, props: CostGuardrailsProps) {
    super(scope, id);
    const { namePrefix } = props;

    this.budget(props);

    const hours = props.labSchedule;
    if (!hours) return;
    const timeZone = TimeZone.of(hours.timeZone);
    const at = (minuteOfDay: number) => ({ hour: String(Math.floor(minuteOfDay / 60)), minute: String(minuteOfDay % 60) });

    // Scale in to zero every evening (also on days without a lab); back only on lab days.
    props.fleet.scaleOnSchedule('LabHoursStart', {
      schedule: autoscaling.Schedule.cron({ ...at(hours.startMinute), weekDay: unixWeekDays(hours.days) }),
      timeZone: hours.timeZone,
      minCapacity: props.capacity.min,
      desiredCapacity: props.capacity.desired,
      maxCapacity: props.capacity.max,
    });
    props.fleet.scaleOnSchedule('LabHoursEnd', {
      schedule: autoscaling.Schedule.cron(at(hours.endMinute)),
      timeZone: hours.timeZone,
      minCapacity: 0,
      desiredCapacity: 0,
      // Not 0: a rolling update outside lab hours needs MinInstancesInService below MaxSize (see the compute stack).
      maxCapacity: props.capacity.max,
    });

    const databaseArn = `arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:db:${props.databaseInstanceIdentifier}`;
    const role = new iam.Role(this, 'SchedulerRole', {
      roleName: `${namePrefix}-lab-hours-${Aws.REGION}`,
      description: 'EventBridge Scheduler: starts and stops this deployment\'s database for lab hours',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    const databaseCall = (action: 'startDBInstance' | 'stopDBInstance', scheduleName: string, expression: scheduler.ScheduleExpression) =>
      new scheduler.Schedule(this, scheduleName, {
        scheduleName: `${namePrefix}-${scheduleName}`,
        description: `${action} for lab hours`,
        schedule: expression,
        target: new schedulerTargets.Universal({
          service: 'rds',
          action,
          input: scheduler.ScheduleTargetInput.fromObject({ DbInstanceIdentifier: props.databaseInstanceIdentifier }),
          role,
          // A start or stop lost to throttling or a service error is tried again, with back-off.
          retryAttempts: SCHEDULE_RETRY.attempts,
          maxEventAge: SCHEDULE_RETRY.maxEventAge,
          policyStatements: [new iam.PolicyStatement({ actions: [`rds:${action.replace(/^./, (c) => c.toUpperCase())}`], resources: [databaseArn] })],
        }),
      });
    databaseCall('startDBInstance', 'database-start', scheduler.ScheduleExpression.cron({ ...at(hours.startMinute - DATABASE_LEAD_MINUTES), weekDay: hours.days, timeZone }));
    // Every day: RDS restarts a database stopped for 7 days, and this stops it again.
    databaseCall('stopDBInstance', 'database-stop', scheduler.ScheduleExpression.cron({ ...at(hours.endMinute + DATABASE_LEAD_MINUTES), timeZone }));
  }

  /**
   * The budget, made through the Budgets API rather than as an `AWS::Budgets::Budget`: Budgets
   * is global to the account, but CloudFormation has that type in some regions only (not in
   * eu-north-1, me-central-1, ap-southeast-4, ...), and a template that names it fails there.
   */
  private budget(props: CostGuardrailsProps): void {
    const definition = budgetDefinition(props);
    const notification = (NotificationType: 'ACTUAL' | 'FORECASTED', Threshold: number) => ({
      Notification: { NotificationType, ComparisonOperator: 'GREATER_THAN', Threshold, ThresholdType: 'PERCENTAGE' },
      Subscribers: [{ SubscriptionType: 'SNS', Address: props.topic.topicArn }],
    });
    const budgetArn = `arn:${Aws.PARTITION}:budgets::${Aws.ACCOUNT_ID}:budget/${props.accountWideName}`;
    const physicalResourceId = cr.PhysicalResourceId.of(props.accountWideName);
    new cr.AwsCustomResource(this, 'Budget', {
      resourceType: 'Custom::Budget',
      onCreate: {
        service: 'Budgets',
        action: 'createBudget',
        parameters: {
          AccountId: Aws.ACCOUNT_ID,
          Budget: definition,
          NotificationsWithSubscribers: [notification('ACTUAL', BUDGET_ACTUAL_PERCENT), notification('FORECASTED', BUDGET_FORECAST_PERCENT)],
        },
        physicalResourceId,
      },
      // The notifications are fixed; a new amount is an update of the budget itself.
      onUpdate: { service: 'Budgets', action: 'updateBudget', parameters: { AccountId: Aws.ACCOUNT_ID, NewBudget: definition }, physicalResourceId },
      onDelete: {
        service: 'Budgets',
        action: 'deleteBudget',
        parameters: { AccountId: Aws.ACCOUNT_ID, BudgetName: props.accountWideName },
        ignoreErrorCodesMatching: 'NotFoundException',
      },
      // Budgets authorizes its create, update and delete calls all as budgets:ModifyBudget.
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['budgets:ModifyBudget', 'budgets:ViewBudget'], resources: [budgetArn] })]),
      installLatestAwsSdk: false,
    });
    Validations.of(awsCustomResourceFunction(this)).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's custom resource function writes its own logs with the basic execution policy.",
    });
  }
}

/** The budget's name, amount and filter, as the Budgets API takes them. */
function budgetDefinition(props: Pick<CostGuardrailsProps, 'accountWideName' | 'monthlyBudgetUsd' | 'deploymentId'>): Record<string, unknown> {
  return {
    BudgetName: props.accountWideName,
    BudgetType: 'COST',
    TimeUnit: 'MONTHLY',
    BudgetLimit: { Amount: String(props.monthlyBudgetUsd), Unit: 'USD' },
    // Counts only once DeploymentID is an active cost-allocation tag (docs/lab-guide.md).
    CostFilters: { TagKeyValue: [`user:DeploymentID$${props.deploymentId}`] },
  };
}

/** `MON-FRI` as Auto Scaling's Unix cron spells it (`1-5`; Sunday is 7). */
export function unixWeekDays(days: string): string {
  return days.replace(/[A-Z]{3}/g, (day) => String(WEEK_DAYS.indexOf(day) + 1));
}
