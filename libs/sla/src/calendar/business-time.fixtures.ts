/* Calendars and an independent reference for the business-time tests (not part of the API). */
import { DateTime } from 'luxon';
import type { BusinessCalendar, OpeningInterval, Weekday } from './calendar.types.js';
import { WEEKDAYS } from './calendar.types.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;

const day = (...intervals: OpeningInterval[]): readonly OpeningInterval[] => intervals;

/** The seeds' standard hours: 08:00–20:00 Moscow, weekdays, with the 2027 New Year holidays. */
export const MSK_WEEKDAYS: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  hours: { mon: day(['08:00', '20:00']), tue: day(['08:00', '20:00']), wed: day(['08:00', '20:00']), thu: day(['08:00', '20:00']), fri: day(['08:00', '20:00']) },
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08'],
};

/** Two intervals a day with a lunch break, in a zone with DST. */
const split = day(['09:00', '12:00'], ['13:00', '17:30']);
export const BERLIN_SPLIT: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  hours: { mon: split, tue: split, wed: split, thu: split, fri: split },
  holidays: ['2026-12-25', '2027-05-13'],
};

/** Weekdays plus a Saturday half day, in a zone whose DST dates differ from Europe's. */
const nyDay = day(['09:00', '17:00']);
export const NEW_YORK_SATURDAY: BusinessCalendar = {
  timeZone: 'America/New_York',
  hours: { mon: nyDay, tue: nyDay, wed: nyDay, thu: nyDay, fri: nyDay, sat: day(['10:00', '14:00']) },
  holidays: ['2026-11-26', '2027-07-05'],
};

export const ALWAYS: BusinessCalendar = { timeZone: 'UTC', hours: '24x7' };

/** Whole local days, every day but holidays: 23- and 25-hour days count in full. */
const whole = day(['00:00', '24:00']);
export const BERLIN_WHOLE_DAYS: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  hours: Object.fromEntries(WEEKDAYS.map((d: Weekday) => [d, whole])),
  holidays: ['2027-03-27', '2027-10-30'],
};

/** Boundaries inside the hours that DST skips or repeats (02:00–03:00 in Berlin). */
export const BERLIN_NIGHT_EDGES: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  hours: { sat: day(['22:00', '24:00']), sun: day(['00:00', '02:15'], ['02:45', '04:00']), mon: day(['02:30', '03:30']) },
};

/** Calendars whose boundaries never fall in a DST gap or overlap, so Luxon can be the reference. */
export const REFERENCE_CALENDARS = { MSK_WEEKDAYS, BERLIN_SPLIT, NEW_YORK_SATURDAY, ALWAYS, BERLIN_WHOLE_DAYS } as const;
export const ALL_CALENDARS = { ...REFERENCE_CALENDARS, BERLIN_NIGHT_EDGES } as const;

/** Instants where things happen: DST changes of 2026–2027, holidays, year end. */
export const INTERESTING_INSTANTS = [
  '2026-03-29T01:00:00Z', // Europe: clocks forward
  '2026-10-25T01:00:00Z', // Europe: clocks back
  '2027-03-28T01:00:00Z',
  '2027-10-31T01:00:00Z',
  '2026-03-08T07:00:00Z', // New York: clocks forward
  '2026-11-01T06:00:00Z', // New York: clocks back
  '2027-03-14T07:00:00Z',
  '2027-11-07T06:00:00Z',
  '2026-12-31T17:00:00Z', // Moscow: last working hour of 2026 (20:00 MSK)
  '2027-01-08T21:00:00Z', // Moscow: end of the New Year holidays
  '2026-12-25T08:00:00Z',
].map((iso) => Date.parse(iso));

function wallMinutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * Reference: is `t` within hours, read directly off Luxon's local date and time. Only valid for
 * calendars with no boundary inside a DST gap or overlap (REFERENCE_CALENDARS).
 */
export function referenceIsWithin(calendar: BusinessCalendar, t: number): boolean {
  const local = DateTime.fromMillis(t, { zone: calendar.timeZone });
  if (calendar.holidays?.includes(local.toISODate()!)) return false;
  if (calendar.hours === '24x7') return true;
  const minutes = local.hour * 60 + local.minute + (local.second * 1000 + local.millisecond) / MINUTE;
  const intervals = calendar.hours[WEEKDAYS[local.weekday - 1]!] ?? [];
  return intervals.some(([open, close]) => minutes >= wallMinutes(open) && minutes < wallMinutes(close));
}

/** Reference business time in [from, to) with Luxon converting each local opening and closing. */
export function referenceBetween(calendar: BusinessCalendar, from: number, to: number): number {
  if (calendar.hours === '24x7' && !calendar.holidays?.length) return to - from;
  let sum = 0;
  let date = DateTime.fromMillis(from, { zone: calendar.timeZone }).startOf('day').minus({ days: 1 });
  while (date.toMillis() < to) {
    const hours = calendar.hours === '24x7' ? whole : (calendar.hours[WEEKDAYS[date.weekday - 1]!] ?? []);
    if (!calendar.holidays?.includes(date.toISODate()!)) {
      for (const [open, close] of hours) {
        const at = (time: string): number =>
          time === '24:00' ? date.plus({ days: 1 }).startOf('day').toMillis() : date.set({ hour: wallMinutes(time) / 60 | 0, minute: wallMinutes(time) % 60 }).toMillis();
        const s = Math.max(at(open), from);
        const e = Math.min(at(close), to);
        if (e > s) sum += e - s;
      }
    }
    date = date.plus({ days: 1 }).startOf('day');
  }
  return sum;
}
