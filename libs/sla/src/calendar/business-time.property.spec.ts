import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addBusinessTime, businessTimeBetween, isWithinBusinessHours, subtractBusinessTime } from './business-time.js';
import type { BusinessCalendar } from './calendar.types.js';
import {
  ALL_CALENDARS,
  ALWAYS,
  DAY,
  HOUR,
  INTERESTING_INSTANTS,
  MINUTE,
  REFERENCE_CALENDARS,
  WEEK,
  referenceBetween,
  referenceIsWithin,
} from './business-time.fixtures.js';

const RUNS = { numRuns: 400 };
const FROM = new Date('2025-06-01T00:00:00Z');
const TO = new Date('2028-06-01T00:00:00Z');
const QUARTER = 15 * MINUTE;

/** Instants anywhere, on quarter hours (to hit openings and closings exactly) and near DST days. */
const instant: fc.Arbitrary<number> = fc.oneof(
  fc.date({ min: FROM, max: TO, noInvalidDate: true }).map((d) => d.getTime()),
  fc.integer({ min: 0, max: (TO.getTime() - FROM.getTime()) / QUARTER }).map((q) => FROM.getTime() + q * QUARTER),
  fc.tuple(fc.constantFrom(...INTERESTING_INSTANTS), fc.integer({ min: -4 * 96, max: 4 * 96 })).map(([t, q]) => t + q * QUARTER),
  fc.tuple(fc.constantFrom(...INTERESTING_INSTANTS), fc.integer({ min: -4 * DAY, max: 4 * DAY })).map(([t, d]) => t + d),
);

/** Durations from 0 to two weeks of business time, often whole minutes or hours. */
const duration: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 2 * WEEK }),
  fc.integer({ min: 0, max: 24 * 14 }).map((h) => h * HOUR),
  fc.integer({ min: 0, max: 24 * 60 }).map((m) => m * MINUTE),
  fc.constantFrom(0, 1, 12 * HOUR),
);
const positive = duration.filter((d) => d > 0);

const add = (c: BusinessCalendar, t: number, d: number): number => addBusinessTime(c, new Date(t), d).getTime();
const sub = (c: BusinessCalendar, t: number, d: number): number => subtractBusinessTime(c, new Date(t), d).getTime();
const between = (c: BusinessCalendar, a: number, b: number): number => businessTimeBetween(c, new Date(a), new Date(b));
const within = (c: BusinessCalendar, t: number): boolean => isWithinBusinessHours(c, new Date(t));

describe.each(Object.entries(ALL_CALENDARS))('business time properties on %s', (_name, calendar) => {
  it('measures back what it added: between(t, add(t, d)) = d', () => {
    fc.assert(fc.property(instant, duration, (t, d) => between(calendar, t, add(calendar, t, d)) === d), RUNS);
  });

  it('adds in steps: add(add(t, d1), d2) = add(t, d1 + d2) when d2 > 0', () => {
    fc.assert(
      fc.property(instant, duration, positive, (t, d1, d2) => add(calendar, add(calendar, t, d1), d2) === add(calendar, t, d1 + d2)),
      RUNS,
    );
  });

  it('ends a positive addition on business time: the millisecond before the result is within hours', () => {
    fc.assert(
      fc.property(instant, positive, (t, d) => {
        const r = add(calendar, t, d);
        // r is inside an interval or exactly its closing instant: r ∈ (open, close].
        return r > t && within(calendar, r - 1) && between(calendar, t, r - 1) === d - 1;
      }),
      RUNS,
    );
  });

  it('adds 0 to reach the next opening, or stays when within hours', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const r = add(calendar, t, 0);
        return within(calendar, r) && r >= t && between(calendar, t, r) === 0 && (r === t) === within(calendar, t);
      }),
      RUNS,
    );
  });

  it('subtracts as the inverse: sub(add(t, d), d) = add(t, 0) and between(sub(t, d), t) = d', () => {
    fc.assert(
      fc.property(instant, positive, (t, d) => {
        const s = sub(calendar, t, d);
        // s is the latest such instant: it is within hours, so one ms later counts one ms less.
        return (
          sub(calendar, add(calendar, t, d), d) === add(calendar, t, 0) &&
          between(calendar, s, t) === d &&
          within(calendar, s) &&
          between(calendar, s + 1, t) === d - 1
        );
      }),
      RUNS,
    );
  });

  it('is additive over a split point and antisymmetric', () => {
    fc.assert(
      fc.property(instant, instant, instant, (a, b, c) => {
        return between(calendar, a, c) === between(calendar, a, b) + between(calendar, b, c) && between(calendar, c, a) === -between(calendar, a, c);
      }),
      RUNS,
    );
  });

  it('adds a negative duration as a subtraction', () => {
    fc.assert(fc.property(instant, positive, (t, d) => add(calendar, t, -d) === sub(calendar, t, d)), { numRuns: 100 });
  });
});

describe.each(Object.entries(REFERENCE_CALENDARS))('agreement with a Luxon reference on %s', (_name, calendar) => {
  it('isWithinBusinessHours reads the local date and time', () => {
    fc.assert(fc.property(instant, (t) => within(calendar, t) === referenceIsWithin(calendar, t)), RUNS);
  });

  it('businessTimeBetween sums the local intervals', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 10 * DAY }), (t, span) => between(calendar, t, t + span) === referenceBetween(calendar, t, t + span)),
      RUNS,
    );
  });
});

describe('24x7', () => {
  it('is plain elapsed time', () => {
    fc.assert(
      fc.property(instant, duration, instant, (t, d, u) => add(ALWAYS, t, d) === t + d && sub(ALWAYS, t, d) === t - d && between(ALWAYS, t, u) === u - t),
      RUNS,
    );
    expect(within(ALWAYS, Date.parse('2027-01-01T00:00:00Z'))).toBe(true);
  });
});
