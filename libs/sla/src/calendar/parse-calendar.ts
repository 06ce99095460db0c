import { IANAZone } from 'luxon';
import { childPath, isPlainObject, show } from '../json-path.js';
import { InvalidCalendarError } from './calendar.errors.js';
import { WEEKDAYS, type BusinessCalendar, type OpeningInterval, type Weekday } from './calendar.types.js';
import { deepFreeze } from '@tracedesk/util';

export const MINUTES_PER_DAY = 24 * 60;
export const MS_PER_DAY = 86_400_000;

/** What the arithmetic needs, derived once from a valid calendar. */
export interface CalendarRules {
  readonly zone: IANAZone;
  /** 24x7 without holidays: business time is plain elapsed time. */
  readonly alwaysOpen: boolean;
  /**
   * Opening minutes per ISO weekday (index 0 = Monday), flattened `[open0, close0, open1, …]`,
   * sorted, with touching intervals merged (so every close is a real closing).
   */
  readonly weekly: readonly (readonly number[])[];
  /** Holidays as days since 1970-01-01 of the local calendar date. */
  readonly holidays: ReadonlySet<number>;
}

const TIME = /^(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseTime(value: unknown, path: string, isClose: boolean): number {
  const m = typeof value === 'string' ? TIME.exec(value) : null;
  if (m) {
    const minutes = Number(m[1]) * 60 + Number(m[2]);
    if (Number(m[2]) < 60 && (minutes < MINUTES_PER_DAY || (isClose && minutes === MINUTES_PER_DAY))) return minutes;
  }
  const allowed = isClose ? '"HH:MM" between 00:00 and 24:00' : '"HH:MM" between 00:00 and 23:59';
  throw new InvalidCalendarError(path, `${show(value)} is not a time ${allowed}`);
}

/** A local date `YYYY-MM-DD` as days since the epoch, or null when it is not a real date. */
export function localDateToDay(value: string): number | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / MS_PER_DAY;
}

function fmt(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function parseDay(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) throw new InvalidCalendarError(path, 'must be a list of ["HH:MM", "HH:MM"] intervals');
  const intervals: { open: number; close: number; index: number }[] = [];
  value.forEach((item: unknown, index) => {
    const itemPath = childPath(path, index);
    if (!Array.isArray(item) || item.length !== 2) {
      throw new InvalidCalendarError(itemPath, `${show(item)} is not an interval ["HH:MM", "HH:MM"]`);
    }
    const pair = item as unknown as OpeningInterval;
    const open = parseTime(pair[0], childPath(itemPath, 0), false);
    const close = parseTime(pair[1], childPath(itemPath, 1), true);
    if (close <= open) throw new InvalidCalendarError(itemPath, `closes (${pair[1]}) at or before it opens (${pair[0]})`);
    intervals.push({ open, close, index });
  });
  intervals.sort((a, b) => a.open - b.open);
  const flat: number[] = [];
  let previous: { open: number; close: number; index: number } | undefined;
  for (const iv of intervals) {
    if (previous && iv.open < previous.close) {
      throw new InvalidCalendarError(
        childPath(path, iv.index),
        `${fmt(iv.open)}-${fmt(iv.close)} overlaps ${fmt(previous.open)}-${fmt(previous.close)} (${childPath(path, previous.index)})`,
      );
    }
    if (previous && iv.open === previous.close) flat[flat.length - 1] = iv.close; // touching: one interval
    else flat.push(iv.open, iv.close);
    previous = iv;
  }
  return flat;
}

/**
 * Validates a calendar object of the policy file and derives its rules. Every error names the
 * offending path under `path` (the caller passes e.g. `calendars.business-msk`).
 */
export function calendarRules(json: unknown, path = 'calendar'): CalendarRules {
  if (!isPlainObject(json)) throw new InvalidCalendarError(path, 'must be an object { timeZone, hours, holidays? }');
  for (const key of Object.keys(json)) {
    if (key === 'description') {
      if (typeof json[key] !== 'string') throw new InvalidCalendarError(childPath(path, key), 'must be a string');
    } else if (key !== 'timeZone' && key !== 'hours' && key !== 'holidays') {
      throw new InvalidCalendarError(childPath(path, key), 'unknown field (expected timeZone, hours, holidays)');
    }
  }
  const { timeZone, hours, holidays } = json;
  const zonePath = childPath(path, 'timeZone');
  if (typeof timeZone !== 'string' || timeZone === '') throw new InvalidCalendarError(zonePath, 'must be an IANA time zone name');
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new InvalidCalendarError(zonePath, `${show(timeZone)} is not a known IANA time zone`);

  const hoursPath = childPath(path, 'hours');
  let weekly: number[][];
  if (hours === '24x7') {
    weekly = WEEKDAYS.map(() => [0, MINUTES_PER_DAY]);
  } else if (isPlainObject(hours)) {
    for (const key of Object.keys(hours)) {
      if (!(WEEKDAYS as readonly string[]).includes(key)) {
        throw new InvalidCalendarError(childPath(hoursPath, key), `unknown weekday (expected one of ${WEEKDAYS.join(', ')})`);
      }
    }
    weekly = WEEKDAYS.map((day: Weekday) => (day in hours ? parseDay(hours[day], childPath(hoursPath, day)) : []));
    if (weekly.every((day) => day.length === 0)) {
      throw new InvalidCalendarError(hoursPath, 'opens on no day of the week; a calendar must have some business hours');
    }
  } else {
    throw new InvalidCalendarError(hoursPath, `${show(hours)} must be "24x7" or an object { mon: [["08:00","20:00"]], … }`);
  }

  const holidayDays = new Set<number>();
  if (holidays !== undefined) {
    const holidaysPath = childPath(path, 'holidays');
    if (!Array.isArray(holidays)) throw new InvalidCalendarError(holidaysPath, 'must be a list of local dates "YYYY-MM-DD"');
    holidays.forEach((value: unknown, index) => {
      const day = typeof value === 'string' ? localDateToDay(value) : null;
      if (day === null) throw new InvalidCalendarError(childPath(holidaysPath, index), `${show(value)} is not a date "YYYY-MM-DD"`);
      holidayDays.add(day);
    });
  }
  return { zone, alwaysOpen: hours === '24x7' && holidayDays.size === 0, weekly, holidays: holidayDays };
}

/**
 * Validates a calendar read from JSON and returns a frozen copy of it, typed. Frozen because the
 * compiled form is cached per object: a calendar must not change after its first use.
 */
export function parseBusinessCalendar(json: unknown, path = 'calendar'): BusinessCalendar {
  calendarRules(json, path);
  return deepFreeze(structuredClone(json) as BusinessCalendar);
}
