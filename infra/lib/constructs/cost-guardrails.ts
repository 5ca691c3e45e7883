import { Aws, TimeZone } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DATABASE_LEAD_MINUTES, type LabSchedule, WEEK_DAYS } from '../config.ts';

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

/**
 * A monthly AWS Budget on the deployment's `DeploymentID` cost-allocation tag, and, in lab
 * mode, lab hours: outside them the fleet scales to zero and the database stops, then both
 * come back (the database first, so the fleet finds it up).
 */
export class CostGuardrails extends Construct {
  constructor(scope: Construct, id: string, props: CostGuardrailsProps) {
    super(scope, id);
    const { namePrefix } = props;

    const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number): budgets.CfnBudget.NotificationWithSubscribersProperty => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers: [{ subscriptionType: 'SNS', address: props.topic.topicArn }],
    });
    new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: props.accountWideName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyBudgetUsd, unit: 'USD' },
        // Counts only once DeploymentID is an active cost-allocation tag (docs/lab-guide.md).
        costFilters: { TagKeyValue: [`user:DeploymentID$${props.deploymentId}`] },
      },
      notificationsWithSubscribers: [notify('ACTUAL', BUDGET_ACTUAL_PERCENT), notify('FORECASTED', BUDGET_FORECAST_PERCENT)],
    });

    const hours = props.labSchedule;
    if (!hours) return;
    const timeZone = TimeZone.of(hours.timeZone);
    const at = (minuteOfDay: number) => ({ hour: String(Math.floor(minuteOfDay / 60)), minute: String(minuteOfDay % 60) });

    // Scale-in to zero every evening (also on days without a lab); back only on lab days.
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
      maxCapacity: 0,
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
          // A start or stop that finds the database already there is not worth a retry.
          retryAttempts: 0,
          policyStatements: [new iam.PolicyStatement({ actions: [`rds:${action.replace(/^./, (c) => c.toUpperCase())}`], resources: [databaseArn] })],
        }),
      });
    databaseCall('startDBInstance', 'database-start', scheduler.ScheduleExpression.cron({ ...at(hours.startMinute - DATABASE_LEAD_MINUTES), weekDay: hours.days, timeZone }));
    // Every day: RDS restarts a database stopped for 7 days, and this stops it again.
    databaseCall('stopDBInstance', 'database-stop', scheduler.ScheduleExpression.cron({ ...at(hours.endMinute + DATABASE_LEAD_MINUTES), timeZone }));
  }
}

/** `MON-FRI` as Auto Scaling's Unix cron spells it (`1-5`; Sunday is 7). */
export function unixWeekDays(days: string): string {
  return days.replace(/[A-Z]{3}/g, (day) => String(WEEK_DAYS.indexOf(day) + 1));
}
