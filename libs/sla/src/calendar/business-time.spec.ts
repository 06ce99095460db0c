import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { addBusinessTime, businessTimeBetween, isWithinBusinessHours, subtractBusinessTime } from './business-time.js';
import type { BusinessCalendar } from './calendar.types.js';
import { compileCalendar } from './compiled-calendar.js';
import { ALWAYS, BERLIN_NIGHT_EDGES, BERLIN_SPLIT, BERLIN_WHOLE_DAYS, HOUR, MINUTE, MSK_WEEKDAYS, NEW_YORK_SATURDAY } from './business-time.fixtures.js';

const at = (iso: string): Date => new Date(iso);
const iso = (date: Date): string => date.toISOString();

describe('08:00–20:00 Europe/Moscow weekdays (the seeds’ standard hours)', () => {
  it('carries Friday evening work over the weekend: Fri 19:00 + 4 h = Mon 11:00', () => {
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-27T19:00:00+03:00'), 4 * HOUR))).toBe(iso(at('2026-11-30T11:00:00+03:00')));
  });

  it('ends on the closing instant rather than the next opening: 08:00 + 12 h = 20:00 the same day', () => {
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-23T08:00:00+03:00'), 12 * HOUR))).toBe(iso(at('2026-11-23T20:00:00+03:00')));
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-23T08:00:00+03:00'), 12 * HOUR + 1))).toBe(iso(at('2026-11-24T08:00:00.001+03:00')));
  });

  it('treats the hours as half-open: 08:00 is within, 20:00 is not', () => {
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2026-11-23T08:00:00+03:00'))).toBe(true);
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2026-11-23T19:59:59.999+03:00'))).toBe(true);
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2026-11-23T20:00:00+03:00'))).toBe(false);
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2026-11-23T07:59:59.999+03:00'))).toBe(false);
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2026-11-28T12:00:00+03:00'))).toBe(false); // Saturday
  });

  it('adds 0 to move to the next opening, and keeps an instant within hours', () => {
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-28T12:00:00+03:00'), 0))).toBe(iso(at('2026-11-30T08:00:00+03:00'))); // Saturday
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-27T20:00:00+03:00'), 0))).toBe(iso(at('2026-11-30T08:00:00+03:00'))); // Friday closing
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-24T06:30:00+03:00'), 0))).toBe(iso(at('2026-11-24T08:00:00+03:00')));
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-24T13:17:00+03:00'), 0))).toBe(iso(at('2026-11-24T13:17:00+03:00')));
  });

  it('skips the New Year holidays: Thu 2026-12-31 19:00 + 2 h = Mon 2027-01-11 09:00', () => {
    // 2026-12-31 is a Thursday; 1–8 January 2027 are holidays, 9–10 a weekend.
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-12-31T19:00:00+03:00'), 2 * HOUR))).toBe(iso(at('2027-01-11T09:00:00+03:00')));
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2027-01-01T12:00:00+03:00'))).toBe(false); // Friday, holiday
    expect(isWithinBusinessHours(MSK_WEEKDAYS, at('2027-01-04T12:00:00+03:00'))).toBe(false); // Monday, holiday
    expect(businessTimeBetween(MSK_WEEKDAYS, at('2026-12-31T00:00:00+03:00'), at('2027-01-12T00:00:00+03:00'))).toBe(24 * HOUR);
    expect(iso(subtractBusinessTime(MSK_WEEKDAYS, at('2027-01-11T09:00:00+03:00'), 2 * HOUR))).toBe(iso(at('2026-12-31T19:00:00+03:00')));
  });

  it('subtracts to the latest instant with that much business time before the end', () => {
    expect(iso(subtractBusinessTime(MSK_WEEKDAYS, at('2026-11-30T11:00:00+03:00'), 4 * HOUR))).toBe(iso(at('2026-11-27T19:00:00+03:00')));
    expect(iso(subtractBusinessTime(MSK_WEEKDAYS, at('2026-11-28T12:00:00+03:00'), HOUR))).toBe(iso(at('2026-11-27T19:00:00+03:00')));
    // Exactly a day's worth ends at that day's opening, not at the previous closing.
    expect(iso(subtractBusinessTime(MSK_WEEKDAYS, at('2026-11-24T20:00:00+03:00'), 12 * HOUR))).toBe(iso(at('2026-11-24T08:00:00+03:00')));
    expect(iso(subtractBusinessTime(MSK_WEEKDAYS, at('2026-11-28T12:00:00+03:00'), 0))).toBe(iso(at('2026-11-28T12:00:00+03:00')));
  });

  it('measures between two instants, negative when reversed', () => {
    const friday = at('2026-11-27T19:00:00+03:00');
    const monday = at('2026-11-30T11:00:00+03:00');
    expect(businessTimeBetween(MSK_WEEKDAYS, friday, monday)).toBe(4 * HOUR);
    expect(businessTimeBetween(MSK_WEEKDAYS, monday, friday)).toBe(-4 * HOUR);
    expect(businessTimeBetween(MSK_WEEKDAYS, friday, friday)).toBe(0);
  });

  it('covers a week of business time in a little under three weeks', () => {
    // 168 h = 14 business days of 12 h: Monday 08:00 + 14 days = Friday of the third week at 20:00.
    expect(iso(addBusinessTime(MSK_WEEKDAYS, at('2026-11-02T08:00:00+03:00'), 168 * HOUR))).toBe(iso(at('2026-11-19T20:00:00+03:00')));
  });
});

describe('daylight saving time', () => {
  it('checks the 2027 European DST dates with Luxon', () => {
    const offset = (local: string): number => DateTime.fromISO(local, { zone: 'Europe/Berlin' }).offset;
    expect([offset('2027-03-28T01:59'), offset('2027-03-28T03:00')]).toEqual([60, 120]);
    expect([offset('2027-10-31T01:59'), offset('2027-10-31T03:00')]).toEqual([120, 60]);
  });

  it('keeps local opening hours across the change (two intervals a day, Europe/Berlin)', () => {
    // Friday 17:00 CET + 1 h: 30 min on Friday, 30 min on Monday, now in summer time.
    expect(iso(addBusinessTime(BERLIN_SPLIT, at('2027-03-26T17:00:00+01:00'), HOUR))).toBe(iso(at('2027-03-29T09:30:00+02:00')));
    expect(iso(addBusinessTime(BERLIN_SPLIT, at('2027-10-29T17:00:00+02:00'), HOUR))).toBe(iso(at('2027-11-01T09:30:00+01:00')));
    expect(businessTimeBetween(BERLIN_SPLIT, at('2027-03-26T12:00:00+01:00'), at('2027-03-29T12:00:00+02:00'))).toBe(7.5 * HOUR);
    expect(iso(addBusinessTime(BERLIN_SPLIT, at('2027-03-29T11:30:00+02:00'), HOUR))).toBe(iso(at('2027-03-29T13:30:00+02:00'))); // lunch break
  });

  it('counts a 23-hour and a 25-hour local day in full', () => {
    expect(businessTimeBetween(BERLIN_WHOLE_DAYS, at('2027-03-28T00:00:00+01:00'), at('2027-03-29T00:00:00+02:00'))).toBe(23 * HOUR);
    expect(businessTimeBetween(BERLIN_WHOLE_DAYS, at('2027-10-31T00:00:00+02:00'), at('2027-11-01T00:00:00+01:00'))).toBe(25 * HOUR);
    expect(iso(addBusinessTime(BERLIN_WHOLE_DAYS, at('2027-03-28T00:00:00+01:00'), 24 * HOUR))).toBe(iso(at('2027-03-29T01:00:00+02:00')));
    // Saturday 2027-03-27 is a holiday of this calendar: adding 0 waits for Sunday's first instant.
    expect(iso(addBusinessTime(BERLIN_WHOLE_DAYS, at('2027-03-27T10:00:00+01:00'), 0))).toBe(iso(at('2027-03-28T00:00:00+01:00')));
  });

  it('opens a skipped wall time at the jump: 02:45 on the spring-forward night opens at 03:00 summer time', () => {
    // Sunday 00:00–02:15 and 02:45–04:00: both edges fall in the skipped hour, so they meet at 03:00 CEST.
    expect(businessTimeBetween(BERLIN_NIGHT_EDGES, at('2027-03-28T00:00:00+01:00'), at('2027-03-29T00:00:00+02:00'))).toBe(3 * HOUR);
    expect(isWithinBusinessHours(BERLIN_NIGHT_EDGES, at('2027-03-28T03:00:00+02:00'))).toBe(true);
    // Saturday 22:00 CET + 4 h runs through midnight and the jump without a pause.
    expect(iso(addBusinessTime(BERLIN_NIGHT_EDGES, at('2027-03-27T22:00:00+01:00'), 4 * HOUR))).toBe(iso(at('2027-03-28T03:00:00+02:00')));
    const insideGap: BusinessCalendar = { timeZone: 'Europe/Berlin', hours: { sun: [['02:10', '02:50']] } };
    // The interval lies wholly in the skipped hour: it does not exist that Sunday.
    expect(iso(addBusinessTime(insideGap, at('2027-03-27T12:00:00+01:00'), 0))).toBe(iso(at('2027-04-04T02:10:00+02:00')));
  });

  it('takes the first occurrence of a repeated wall time when clocks go back', () => {
    // 2027-10-31: 00:00–02:15 ends at the first 02:15 (CEST); 02:45–04:00 starts at the first 02:45.
    const day = [at('2027-10-31T00:00:00+02:00'), at('2027-11-01T00:00:00+01:00')] as const;
    expect(businessTimeBetween(BERLIN_NIGHT_EDGES, ...day)).toBe(4.5 * HOUR);
    expect(isWithinBusinessHours(BERLIN_NIGHT_EDGES, at('2027-10-31T02:20:00+02:00'))).toBe(false);
    expect(isWithinBusinessHours(BERLIN_NIGHT_EDGES, at('2027-10-31T02:50:00+02:00'))).toBe(true);
    // …so the second pass through 02:00–03:00 (CET) lies inside the 02:45–04:00 interval.
    expect(isWithinBusinessHours(BERLIN_NIGHT_EDGES, at('2027-10-31T02:20:00+01:00'))).toBe(true);
  });

  it('handles New York’s own DST dates with a Saturday half day', () => {
    // Saturday 2027-03-13 13:00 EST + 2 h: 1 h on Saturday, then Monday 09:00 EDT + 1 h.
    expect(iso(addBusinessTime(NEW_YORK_SATURDAY, at('2027-03-13T13:00:00-05:00'), 2 * HOUR))).toBe(iso(at('2027-03-15T10:00:00-04:00')));
    expect(iso(addBusinessTime(NEW_YORK_SATURDAY, at('2027-11-05T16:00:00-04:00'), 2 * HOUR))).toBe(iso(at('2027-11-06T11:00:00-04:00')));
    // Clocks go back on Sunday 2027-11-07: Saturday ends in EDT, Monday starts in EST.
    expect(iso(addBusinessTime(NEW_YORK_SATURDAY, at('2027-11-06T13:00:00-04:00'), 2 * HOUR))).toBe(iso(at('2027-11-08T10:00:00-05:00')));
    // Thanksgiving 2026-11-26 is a holiday of this calendar.
    expect(iso(addBusinessTime(NEW_YORK_SATURDAY, at('2026-11-25T16:30:00-05:00'), HOUR))).toBe(iso(at('2026-11-27T09:30:00-05:00')));
  });

  it('survives a zone skipping a whole day (Pacific/Apia, 2011-12-30)', () => {
    const apia: BusinessCalendar = { timeZone: 'Pacific/Apia', hours: '24x7', holidays: ['2012-01-02'] };
    expect(businessTimeBetween(apia, at('2011-12-29T00:00:00-10:00'), at('2012-01-01T00:00:00+14:00'))).toBe(48 * HOUR);
    expect(iso(addBusinessTime(apia, at('2011-12-29T12:00:00-10:00'), 12 * HOUR))).toBe(iso(at('2011-12-31T00:00:00+14:00')));
  });
});

describe('24x7', () => {
  it('equals plain addition', () => {
    const t = at('2027-01-01T00:00:00Z');
    expect(iso(addBusinessTime(ALWAYS, t, 90 * MINUTE))).toBe('2027-01-01T01:30:00.000Z');
    expect(iso(subtractBusinessTime(ALWAYS, t, HOUR))).toBe('2026-12-31T23:00:00.000Z');
    expect(businessTimeBetween(ALWAYS, t, at('2027-01-08T00:00:00Z'))).toBe(7 * 24 * HOUR);
    expect(isWithinBusinessHours(ALWAYS, t)).toBe(true);
  });

  it('closes its holidays, as whole local days', () => {
    const moscow: BusinessCalendar = { timeZone: 'Europe/Moscow', hours: '24x7', holidays: ['2027-01-01'] };
    expect(iso(addBusinessTime(moscow, at('2026-12-31T23:00:00+03:00'), 2 * HOUR))).toBe(iso(at('2027-01-02T01:00:00+03:00')));
  });
});

describe('inputs', () => {
  it('rejects invalid dates and non-finite durations', () => {
    expect(() => addBusinessTime(MSK_WEEKDAYS, new Date(Number.NaN), 1)).toThrow(RangeError);
    expect(() => addBusinessTime(MSK_WEEKDAYS, at('2026-11-23T08:00:00Z'), Number.NaN)).toThrow(RangeError);
    expect(() => businessTimeBetween(MSK_WEEKDAYS, at('2026-11-23T08:00:00Z'), new Date('nope'))).toThrow(/to must be a valid Date/);
  });

  it('rounds durations to whole milliseconds', () => {
    const t = at('2026-11-23T10:00:00+03:00');
    expect(addBusinessTime(MSK_WEEKDAYS, t, 0.6).getTime()).toBe(t.getTime() + 1);
    expect(addBusinessTime(MSK_WEEKDAYS, t, -0.4).getTime()).toBe(t.getTime());
  });

  it('compiles a calendar once per object and accepts the compiled form', () => {
    const compiled = compileCalendar(MSK_WEEKDAYS);
    expect(compileCalendar(MSK_WEEKDAYS)).toBe(compiled);
    expect(compileCalendar(compiled)).toBe(compiled);
    expect(iso(addBusinessTime(compiled, at('2026-11-27T19:00:00+03:00'), 4 * HOUR))).toBe(iso(at('2026-11-30T11:00:00+03:00')));
  });
});
