import { describe, expect, it } from '@jest/globals';
import { businessTimeBetween } from './business-time.js';
import { InvalidCalendarError } from './calendar.errors.js';
import { compileCalendar } from './compiled-calendar.js';
import { parseBusinessCalendar } from './parse-calendar.js';

const weekday = (hours: unknown): unknown => ({ timeZone: 'Europe/Moscow', hours });

function errorOf(json: unknown): InvalidCalendarError {
  try {
    parseBusinessCalendar(json);
  } catch (error) {
    if (error instanceof InvalidCalendarError) return error;
    throw error;
  }
  throw new Error('expected the calendar to be refused');
}

describe('calendar validation names the bad path', () => {
  it.each([
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons', hours: '24x7' }, 'calendar.timeZone', /"Mars\/Olympus_Mons" is not a known IANA time zone/],
    ['a missing zone', { hours: '24x7' }, 'calendar.timeZone', /IANA time zone/],
    ['a time without two-digit hours', weekday({ mon: [['8:00', '20:00']] }), 'calendar.hours.mon[0][0]', /"8:00" is not a time/],
    ['minutes past 59', weekday({ mon: [['08:60', '20:00']] }), 'calendar.hours.mon[0][0]', /"08:60"/],
    ['a closing time past 24:00', weekday({ tue: [['08:00', '24:01']] }), 'calendar.hours.tue[0][1]', /"24:01"/],
    ['24:00 as an opening time', weekday({ tue: [['24:00', '24:00']] }), 'calendar.hours.tue[0][0]', /between 00:00 and 23:59/],
    ['a close before the open', weekday({ wed: [['09:00', '08:00']] }), 'calendar.hours.wed[0]', /closes \(08:00\) at or before it opens \(09:00\)/],
    ['an empty interval', weekday({ wed: [['09:00', '09:00']] }), 'calendar.hours.wed[0]', /at or before/],
    ['overlapping intervals', weekday({ thu: [['08:00', '12:00'], ['11:00', '14:00']] }), 'calendar.hours.thu[1]', /11:00-14:00 overlaps 08:00-12:00 \(calendar.hours.thu\[0\]\)/],
    ['an interval that is not a pair', weekday({ fri: [['08:00']] }), 'calendar.hours.fri[0]', /not an interval/],
    ['a day that is not a list', weekday({ fri: ['08:00', '20:00'] }), 'calendar.hours.fri[0]', /not an interval/],
    ['an unknown weekday', weekday({ monday: [['08:00', '20:00']] }), 'calendar.hours.monday', /unknown weekday/],
    ['hours that are neither 24x7 nor weekly', weekday('24/7'), 'calendar.hours', /must be "24x7"/],
    ['a week without hours', weekday({ sat: [] }), 'calendar.hours', /opens on no day/],
    ['an impossible holiday', { timeZone: 'UTC', hours: '24x7', holidays: ['2027-01-01', '2027-02-30'] }, 'calendar.holidays[1]', /"2027-02-30" is not a date/],
    ['a holiday in another format', { timeZone: 'UTC', hours: '24x7', holidays: ['01.01.2027'] }, 'calendar.holidays[0]', /not a date/],
    ['an unknown field', { timeZone: 'UTC', hours: '24x7', holiday: [] }, 'calendar.holiday', /unknown field/],
    ['not an object', 'Europe/Moscow', 'calendar', /must be an object/],
  ])('%s', (_case, json, path, message) => {
    const error = errorOf(json);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it('checks on first use by the arithmetic too', () => {
    const bad = { timeZone: 'Nowhere/Land', hours: '24x7' } as const;
    expect(() => businessTimeBetween(bad, new Date(0), new Date(1))).toThrow('calendar.timeZone: "Nowhere/Land" is not a known IANA time zone');
  });
});

describe('valid calendars', () => {
  it('accepts intervals in any order, 24:00 as a closing time, and touching intervals', () => {
    const calendar = parseBusinessCalendar(
      weekday({ mon: [['13:00', '24:00'], ['08:00', '13:00']], tue: [['00:00', '02:00']] }),
    );
    // Monday 08:00 to Tuesday 02:00 is one stretch of 18 hours.
    expect(businessTimeBetween(calendar, new Date('2026-11-23T00:00:00+03:00'), new Date('2026-11-25T00:00:00+03:00'))).toBe(18 * 3_600_000);
  });

  it('returns a frozen copy, so the compiled cache cannot go stale', () => {
    const json = { timeZone: 'UTC', hours: { mon: [['08:00', '20:00']] }, holidays: ['2027-01-04'] };
    const calendar = parseBusinessCalendar(json);
    expect(calendar).toEqual(json);
    expect(calendar).not.toBe(json);
    expect(Object.isFrozen(calendar.holidays)).toBe(true);
    expect(compileCalendar(calendar).timeZone).toBe('UTC');
  });
});
