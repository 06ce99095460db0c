import type { BusinessCalendar } from './calendar.types.js';
import { compileCalendar, type CompiledCalendar } from './compiled-calendar.js';

/*
 * Business-time arithmetic. Semantics (docs/sla.md has the long form):
 * - an instant is within business hours when it lies in [open, close) of an interval of its
 *   local day, and that day is not a holiday;
 * - `ms` are rounded to whole milliseconds (Date has no finer resolution);
 * - adding 0 returns the start when within hours, otherwise the next opening;
 * - adding ms > 0 returns the instant at which the ms-th business millisecond completes, which
 *   may be a closing instant (08:00 + 12 h on an 08–20 day is 20:00 that day);
 * - subtracting returns the latest instant with exactly `ms` business time up to the end.
 */

type AnyCalendar = BusinessCalendar | CompiledCalendar;

function instant(date: Date, name: string): number {
  const t = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a valid Date`);
  return t;
}

function wholeMs(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`Business time must be a finite number of ms, got ${String(ms)}`);
  return Math.round(ms) || 0; // `|| 0` turns -0 into 0
}

function forward(cal: CompiledCalendar, t: number, ms: number): number {
  if (cal.alwaysOpen) return t + ms;
  let day = cal.dayAt(t);
  for (;;) {
    const open = day.open;
    // A whole day that cannot hold the rest is skipped in one step.
    if (ms > day.businessMs && (open.length === 0 || t <= open[0]!)) {
      ms -= day.businessMs;
    } else {
      for (let i = 0; i < open.length; i += 2) {
        const close = open[i + 1]!;
        if (close <= t) continue;
        const from = Math.max(open[i]!, t);
        if (ms <= close - from) return from + ms;
        ms -= close - from;
      }
    }
    day = cal.day(day.day + 1);
    t = day.start;
  }
}

function backward(cal: CompiledCalendar, t: number, ms: number): number {
  if (ms === 0 || cal.alwaysOpen) return t - ms;
  let day = cal.dayAt(t);
  for (;;) {
    const open = day.open;
    if (ms > day.businessMs && (open.length === 0 || t >= open[open.length - 1]!)) {
      ms -= day.businessMs;
    } else {
      for (let i = open.length - 2; i >= 0; i -= 2) {
        const from = open[i]!;
        if (from >= t) continue;
        const to = Math.min(open[i + 1]!, t);
        if (ms <= to - from) return to - ms;
        ms -= to - from;
      }
    }
    day = cal.day(day.day - 1);
    t = day.end;
  }
}

function between(cal: CompiledCalendar, from: number, to: number): number {
  if (to < from) return -between(cal, to, from);
  if (cal.alwaysOpen) return to - from;
  let sum = 0;
  for (let day = cal.dayAt(from); day.start < to; day = cal.day(day.day + 1)) {
    if (from <= day.start && day.end <= to) {
      sum += day.businessMs;
      continue;
    }
    const open = day.open;
    for (let i = 0; i < open.length; i += 2) {
      const s = Math.max(open[i]!, from);
      const e = Math.min(open[i + 1]!, to);
      if (e > s) sum += e - s;
    }
  }
  return sum;
}

/**
 * The instant at which `ms` of business time has elapsed after `start`. Adding 0 gives `start`
 * within hours, else the next opening; a negative `ms` subtracts.
 */
export function addBusinessTime(calendar: AnyCalendar, start: Date, ms: number): Date {
  const cal = compileCalendar(calendar);
  const t = instant(start, 'start');
  const d = wholeMs(ms);
  return new Date(d < 0 ? backward(cal, t, -d) : forward(cal, t, d));
}

/** The latest instant t with `businessTimeBetween(t, end) === ms`; a negative `ms` adds. */
export function subtractBusinessTime(calendar: AnyCalendar, end: Date, ms: number): Date {
  const cal = compileCalendar(calendar);
  const t = instant(end, 'end');
  const d = wholeMs(ms);
  return new Date(d < 0 ? forward(cal, t, -d) : backward(cal, t, d));
}

/** Business ms in [from, to); antisymmetric: negative when `to` is before `from`. */
export function businessTimeBetween(calendar: AnyCalendar, from: Date, to: Date): number {
  return between(compileCalendar(calendar), instant(from, 'from'), instant(to, 'to'));
}

/** Whether `at` lies within business hours (an opening instant does, a closing one does not). */
export function isWithinBusinessHours(calendar: AnyCalendar, at: Date): boolean {
  const cal = compileCalendar(calendar);
  const t = instant(at, 'at');
  if (cal.alwaysOpen) return true;
  const open = cal.dayAt(t).open;
  for (let i = 0; i < open.length; i += 2) {
    if (t < open[i]!) return false;
    if (t < open[i + 1]!) return true;
  }
  return false;
}
