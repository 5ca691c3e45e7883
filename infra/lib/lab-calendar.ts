import { type LabSchedule, WEEK_DAYS } from './config.ts';
import { ValidationError } from './errors.ts';

/**
 * When the database's own chores run. RDS windows and Secrets Manager rotation schedules are in
 * UTC, and lab hours are in a time zone that may observe daylight saving time; a stopped
 * database fails its rotation and skips its backup, so each chore is placed in the UTC hours
 * that lie within lab hours whatever the offset of the zone.
 */
export interface DatabaseCalendar {
  /** RDS `PreferredBackupWindow`, `hh24:mi-hh24:mi` UTC, every day. */
  readonly backupWindow: string;
  /** RDS `PreferredMaintenanceWindow`, `ddd:hh24:mi-ddd:hh24:mi` UTC, once a week. */
  readonly maintenanceWindow: string;
  /** Rotation of the app's credentials: Secrets Manager `ScheduleExpression` (UTC) and `Duration`. */
  readonly appRotation: RotationWindow;
  /** Rotation of the master credentials, on another lab day where there is one. */
  readonly masterRotation: RotationWindow;
}

export interface RotationWindow {
  readonly scheduleExpression: string;
  readonly duration: string;
}

/** Without lab hours the database always runs: chores at night, UTC, as far from office hours as one zone allows. */
export const ALWAYS_ON_CALENDAR: DatabaseCalendar = {
  backupWindow: '03:00-03:30',
  maintenanceWindow: 'sun:03:30-sun:04:00',
  appRotation: { scheduleExpression: 'rate(30 days)', duration: '3h' },
  masterRotation: { scheduleExpression: 'rate(30 days)', duration: '3h' },
};

const DAY = 24 * 60;
/** The least each chore needs: a rotation window of an hour, the backup and maintenance windows half an hour each. */
const MINIMUM_CHORE_MINUTES = 120;

/**
 * Places the chores in the longest stretch of whole UTC hours, within one UTC day (ending by 23:00),
 * that lies inside lab hours under every offset the zone takes: the backup window last, the
 * maintenance window before it (weekly, on the first lab day), the app's rotation window before
 * that (weekly, on the first lab day); the master's rotation in the same hours on the last lab day.
 */
export function databaseCalendar(hours: LabSchedule): DatabaseCalendar {
  const offsets = utcOffsetRange(hours.timeZone);
  // Lab hours of a local day, in minutes from midnight UTC of the same date.
  const earliest = hours.startMinute - offsets.min;
  const latest = hours.endMinute - offsets.max;
  const stretches = [-1, 0, 1].map((dayShift) => {
    const from = Math.ceil(Math.max(earliest, dayShift * DAY) / 60) * 60;
    // Ends by 23:00, so that no window is written 24:00.
    const to = Math.floor(Math.min(latest, (dayShift + 1) * DAY - 60) / 60) * 60;
    return { dayShift, from: from - dayShift * DAY, to: to - dayShift * DAY };
  });
  const best = stretches.reduce((a, b) => (b.to - b.from >= a.to - a.from ? b : a));
  if (best.to - best.from < MINIMUM_CHORE_MINUTES) {
    throw new ValidationError(
      `lab_hours must leave ${MINIMUM_CHORE_MINUTES / 60} whole UTC hours within one UTC day in ${hours.timeZone} all year (daylight saving time included) for rotation, backups and maintenance, got '${clock(hours.startMinute)}-${clock(hours.endMinute)}'`,
    );
  }
  const labDays = expandDays(hours.days);
  const utcDay = (localDay: number) => WEEK_DAYS[(localDay + best.dayShift + 7) % 7];
  const first = utcDay(labDays[0]);
  const last = utcDay(labDays[labDays.length - 1]);
  const maintenanceStart = best.to - 60;
  const rotationHours = (maintenanceStart - best.from) / 60;
  const rotation = (day: string): RotationWindow => ({ scheduleExpression: `cron(0 ${best.from / 60} ? * ${day} *)`, duration: `${rotationHours}h` });
  return {
    backupWindow: `${clock(best.to - 30)}-${clock(best.to)}`,
    maintenanceWindow: `${first.toLowerCase()}:${clock(maintenanceStart)}-${first.toLowerCase()}:${clock(best.to - 30)}`,
    appRotation: rotation(first),
    masterRotation: rotation(last),
  };
}

/** The smallest and largest UTC offsets, in minutes, that `timeZone` takes over two years. */
export function utcOffsetRange(timeZone: string): { min: number; max: number } {
  const offsets = new Set<number>();
  const start = Date.UTC(2026, 0, 1);
  for (let day = 0; day < 2 * 366; day += 1) offsets.add(utcOffsetMinutes(timeZone, new Date(start + day * DAY * 60_000)));
  return { min: Math.min(...offsets), max: Math.max(...offsets) };
}

/** Minutes that local time in `timeZone` is ahead of UTC at `instant`. */
export function utcOffsetMinutes(timeZone: string, instant: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(instant).find((part) => part.type === 'timeZoneName')!.value;
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!match) throw new Error(`unexpected offset '${name}' for ${timeZone}`);
  if (match[1] === undefined) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** `MON-WED,FRI` as indexes into WEEK_DAYS: [0, 1, 2, 4]. */
export function expandDays(days: string): number[] {
  return days.split(',').flatMap((part) => {
    const [first, last = first] = part.split('-').map((day) => WEEK_DAYS.indexOf(day));
    return Array.from({ length: last - first + 1 }, (_, index) => first + index);
  });
}

function clock(minuteOfDay: number): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}
