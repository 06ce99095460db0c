import { Duration } from 'luxon';

/** Longest target accepted: a year of business hours; longer is surely a typo. */
export const MAX_TARGET_MS = 8784 * 3_600_000;

/**
 * Parses an SLA target, an ISO-8601 duration of hours, minutes and seconds (`PT4H`, `PT30M`,
 * `PT1H30M`, `PT0.5S`), into milliseconds of business time. Returns an error text instead of
 * throwing, so the caller can put the path in front.
 *
 * Days, weeks, months and years are refused: months and years have no fixed length, and in
 * business time "P1D" is ambiguous (24 business hours, or one business day of 12 hours?).
 * Write the hours instead (`PT12H` for one 08:00–20:00 day).
 */
export function parseTargetDuration(value: unknown): { ms: number } | { error: string } {
  if (typeof value !== 'string') return { error: `${JSON.stringify(value) ?? 'undefined'} must be an ISO-8601 duration string such as "PT4H"` };
  const duration = Duration.fromISO(value);
  if (!duration.isValid) return { error: `"${value}" is not an ISO-8601 duration` };
  const parts = duration.toObject();
  if (parts.years !== undefined || parts.quarters !== undefined || parts.months !== undefined) {
    return { error: `"${value}": years and months have no fixed length; write hours, e.g. "PT24H"` };
  }
  if (parts.weeks !== undefined || parts.days !== undefined) {
    return { error: `"${value}": days and weeks are ambiguous in business time; write hours, e.g. "PT12H" for one 12-hour business day` };
  }
  if (Object.values(parts).some((part) => part < 0)) return { error: `"${value}" must not be negative` };
  const fraction = /\.(\d+)S$/.exec(value)?.[1] ?? '';
  const ms = duration.toMillis();
  if (!Number.isInteger(ms) || /[1-9]/.test(fraction.slice(3))) return { error: `"${value}" is finer than a millisecond` };
  if (ms <= 0) return { error: `"${value}" must be longer than zero` };
  if (ms > MAX_TARGET_MS) return { error: `"${value}" is longer than a year of business time (PT8784H)` };
  return { ms };
}
