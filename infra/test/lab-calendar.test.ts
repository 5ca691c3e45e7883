import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEEK_DAYS } from '../lib/config.ts';
import { expandDays, utcOffsetMinutes } from '../lib/lab-calendar.ts';
import { only, resourcesOf, synth } from './support.ts';

// The lab calendar as deployed: from the synthesized schedules alone, when does the database
// run, and does every rotation, backup and maintenance window meet it running? Every week of a
// year is simulated, daylight saving time changes included, in zones east and west of UTC.
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** RDS starts a stopped db.t3.micro in about 5 minutes; the model gives it 15. */
const DATABASE_BOOT = 15 * MINUTE;
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_END = Date.UTC(2027, 0, 1);

interface Interval {
  readonly from: number;
  readonly to: number;
}

/** The UTC instant of a wall-clock time in `timeZone` on the local date that starts at `date` (UTC midnight of it). */
function localToUtc(timeZone: string, date: number, minuteOfDay: number): number {
  const wall = date + minuteOfDay * MINUTE;
  const first = wall - utcOffsetMinutes(timeZone, new Date(wall)) * MINUTE;
  return wall - utcOffsetMinutes(timeZone, new Date(first)) * MINUTE;
}

/** `cron(M H ? * DAYS *)` or `cron(M H * * ? *)`, as EventBridge Scheduler and Secrets Manager write them. */
function parseCron(expression: string): { minute: number; hour: number; days: number[] } {
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = /^cron\((.*)\)$/.exec(expression)![1].split(' ');
  assert.deepEqual([month, year], ['*', '*'], expression);
  const days = dayOfWeek === '?' || dayOfWeek === '*' ? [0, 1, 2, 3, 4, 5, 6] : expandDays(dayOfWeek);
  assert.ok(dayOfMonth === '?' || dayOfMonth === '*', expression);
  return { minute: Number(minute), hour: Number(hour), days };
}

/** Monday = 0, as WEEK_DAYS counts. */
const weekDay = (date: number) => (new Date(date).getUTCDay() + 6) % 7;

function dates(): number[] {
  const all: number[] = [];
  for (let date = YEAR_START - 7 * DAY; date < YEAR_END + 7 * DAY; date += DAY) all.push(date);
  return all;
}

/** When the database runs: from each start (plus its boot) to the next stop, as the schedules fire them. */
function databaseRuns(compute: ReturnType<typeof synth>['compute']): Interval[] {
  const schedules = Object.fromEntries(resourcesOf(compute, 'AWS::Scheduler::Schedule').map(([, s]) => [s.Properties!.Name.replace(/^.*-database-/, ''), s.Properties!]));
  const fire = (schedule: Record<string, any>) => {
    const cron = parseCron(schedule.ScheduleExpression);
    return dates()
      .filter((date) => cron.days.includes(weekDay(date)))
      .map((date) => localToUtc(schedule.ScheduleExpressionTimezone, date, cron.hour * 60 + cron.minute));
  };
  const stops = fire(schedules.stop).sort((a, b) => a - b);
  return fire(schedules.start).map((start) => ({ from: start + DATABASE_BOOT, to: stops.find((stop) => stop > start)! }));
}

const within = (window: Interval, runs: Interval[]) => runs.some((run) => run.from <= window.from && window.to <= run.to);
const utcClock = (text: string) => {
  const [hour, minute] = text.split(':').map(Number);
  return (hour * 60 + minute) * MINUTE;
};

/** Every instance in the year of a weekly window written `ddd:hh:mm-ddd:hh:mm` (RDS maintenance). */
function weeklyWindows(window: string): Interval[] {
  const [, day, from, , to] = /^(\w{3}):(\d\d:\d\d)-(\w{3}):(\d\d:\d\d)$/.exec(window)!;
  return dates()
    .filter((date) => date >= YEAR_START && date < YEAR_END && weekDay(date) === WEEK_DAYS.indexOf(day.toUpperCase()))
    .map((date) => ({ from: date + utcClock(from), to: date + utcClock(to) }));
}

describe('the lab calendar, simulated over every week of a year', () => {
  for (const [timeZone, labHours, labDays] of [
    ['Europe/Berlin', '09:00-17:00', 'MON-FRI'],
    ['America/Los_Angeles', '08:00-18:00', 'MON-FRI'],
    ['Asia/Tokyo', '09:30-17:30', 'MON,WED,FRI'],
    ['Australia/Sydney', '08:00-16:00', 'TUE-THU'],
  ] as const) {
    it(`meets a running database with every rotation, backup and maintenance window (${timeZone}, ${labHours}, ${labDays})`, () => {
      const app = synth({ deployment_id: 'calendar', lab_hours: labHours, lab_timezone: timeZone, lab_days: labDays });
      const runs = databaseRuns(app.compute);
      const labDayIndexes = expandDays(labDays);
      assert.ok(runs.length >= 52 * labDayIndexes.length, `${runs.length} runs`);
      assert.ok(runs.every((run) => run.to - run.from < DAY), 'stopped every night');

      const rotations = resourcesOf(app.secrets, 'AWS::SecretsManager::RotationSchedule').map(([, r]) => r.Properties!.RotationRules);
      assert.equal(rotations.length, 2);
      for (const rules of rotations) {
        const cron = parseCron(rules.ScheduleExpression);
        const hours = Number(/^(\d+)h$/.exec(rules.Duration)![1]);
        assert.ok(cron.hour + hours <= 24, 'the window ends within its UTC day');
        const windows = dates()
          .filter((date) => date >= YEAR_START && date < YEAR_END && cron.days.includes(weekDay(date)))
          .map((date) => ({ from: date + (cron.hour * 60 + cron.minute) * MINUTE, to: date + (cron.hour * 60 + cron.minute + hours * 60) * MINUTE }));
        assert.ok(windows.length >= 52);
        for (const window of windows) assert.ok(within(window, runs), `rotation ${rules.ScheduleExpression} ${rules.Duration} at ${new Date(window.from).toISOString()}`);
      }

      const [, db] = only(app.data, 'AWS::RDS::DBInstance');
      for (const window of weeklyWindows(db.Properties!.PreferredMaintenanceWindow)) {
        assert.ok(within(window, runs), `maintenance ${db.Properties!.PreferredMaintenanceWindow} at ${new Date(window.from).toISOString()}`);
      }
      // A stopped database takes no backup (nothing changed); every day it is started, a backup window falls while it runs.
      const [from, to] = db.Properties!.PreferredBackupWindow.split('-').map(utcClock);
      for (const run of runs.filter((candidate) => candidate.from >= YEAR_START && candidate.from < YEAR_END)) {
        const date = Math.floor(run.from / DAY) * DAY;
        const windows = [date - DAY, date, date + DAY].map((day) => ({ from: day + from, to: day + to }));
        assert.ok(windows.some((window) => within(window, [run])), `backup ${db.Properties!.PreferredBackupWindow} in the run from ${new Date(run.from).toISOString()}`);
      }
    });
  }

  it('finds a window that misses the database (the simulation can fail)', () => {
    const app = synth({ deployment_id: 'calendar', lab_hours: '09:00-17:00', lab_timezone: 'Europe/Berlin' });
    const runs = databaseRuns(app.compute);
    // 06:00-07:00 UTC is 07:00-09:00 in Berlin: before the database starts.
    assert.ok(!within({ from: Date.UTC(2026, 5, 3, 6), to: Date.UTC(2026, 5, 3, 7) }, runs));
    assert.ok(within({ from: Date.UTC(2026, 5, 3, 8), to: Date.UTC(2026, 5, 3, 14) }, runs));
  });
});

describe('lab hours and rolling updates', () => {
  const lab = synth({ deployment_id: 'rolling', lab_hours: '09:00-17:00', lab_timezone: 'Europe/Berlin' });

  it('let a deploy outside lab hours find the fleet at zero and leave it there, with MaxSize above MinInstancesInService', () => {
    const [, fleet] = only(lab.compute, 'AWS::AutoScaling::AutoScalingGroup') as [string, any];
    assert.deepEqual(fleet.UpdatePolicy.AutoScalingScheduledAction, { IgnoreUnmodifiedGroupSizeProperties: true });
    const inService = fleet.UpdatePolicy.AutoScalingRollingUpdate.MinInstancesInService;
    const actions = resourcesOf(lab.compute, 'AWS::AutoScaling::ScheduledAction').map(([, action]) => action.Properties!);
    assert.equal(actions.length, 2);
    for (const action of actions) assert.ok(action.MaxSize > inService, `MaxSize ${action.MaxSize} > MinInstancesInService ${inService}`);
    assert.ok(actions.some((action) => action.DesiredCapacity === 0 && action.MinSize === 0), 'the lab end still empties the fleet');
  });
});
