import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { addBusinessTime, isWithinBusinessHours } from '../calendar/business-time.js';
import { DEFAULT_SLA_POLICY_FILE, defaultSlaPolicy } from './load-policy.js';
import { parseSlaPolicy } from './parse-policy.js';
import { PRIORITIES, SLA_METRICS } from './policy.types.js';
import { resolveSla, tierChannels, tierNames } from './resolve.js';

const HOUR = 3_600_000;

describe('the bundled default policy', () => {
  const policy = defaultSlaPolicy();

  it('parses, once', () => {
    expect(defaultSlaPolicy()).toBe(policy);
    expect(parseSlaPolicy(JSON.parse(readFileSync(DEFAULT_SLA_POLICY_FILE, 'utf8')))).toEqual(policy);
    expect(policy.version).toBe('2026-11-22');
    expect(tierNames(policy)).toEqual(['free', 'standard', 'pro', 'business', 'enterprise']);
  });

  it('gives each tier the channels of the seeds', () => {
    expect(tierChannels(policy, 'free')).toEqual([]);
    expect(tierChannels(policy, 'standard')).toEqual(['WEB', 'EMAIL']);
    expect(tierChannels(policy, 'pro')).toEqual(['WEB', 'EMAIL']);
    expect(tierChannels(policy, 'business')).toEqual(['WEB', 'EMAIL', 'CHAT']);
    expect(tierChannels(policy, 'enterprise')).toEqual(['WEB', 'EMAIL', 'CHAT', 'PHONE']);
  });

  it('uses the seeds’ first-response times for standard and pro: 1 h, 4 h, 8 h, one business day', () => {
    for (const tier of ['standard', 'pro']) {
      const first = PRIORITIES.map((p) => resolveSla(policy, tier, p).targets.FIRST_RESPONSE);
      expect(first).toEqual([1 * HOUR, 4 * HOUR, 8 * HOUR, 12 * HOUR]);
      expect(PRIORITIES.map((p) => resolveSla(policy, tier, p).calendarName)).toEqual(Array(4).fill('msk-weekdays'));
    }
    // "Low: 1 day" is one 08:00–20:00 business day: opened Monday 08:00, due Monday 20:00.
    const low = resolveSla(policy, 'standard', 'LOW');
    expect(addBusinessTime(low.calendar, new Date('2026-11-23T08:00:00+03:00'), low.targets.FIRST_RESPONSE!).toISOString()).toBe(
      new Date('2026-11-23T20:00:00+03:00').toISOString(),
    );
  });

  it('has every metric for every priority of every tier that takes tickets', () => {
    for (const tier of tierNames(policy).filter((t) => tierChannels(policy, t).length > 0)) {
      for (const priority of PRIORITIES) {
        expect(Object.keys(resolveSla(policy, tier, priority).targets).sort()).toEqual([...SLA_METRICS].sort());
      }
    }
  });

  it('serves dedicated tiers on weekends, and their critical tickets around the clock', () => {
    const saturdayNoon = new Date('2026-11-28T12:00:00+03:00');
    const saturdayNight = new Date('2026-11-28T23:00:00+03:00');
    for (const tier of ['business', 'enterprise']) {
      const high = resolveSla(policy, tier, 'HIGH');
      expect(high.calendarName).toBe('msk-daily');
      expect(isWithinBusinessHours(high.calendar, saturdayNoon)).toBe(true);
      expect(isWithinBusinessHours(high.calendar, saturdayNight)).toBe(false);
      const critical = resolveSla(policy, tier, 'CRITICAL');
      expect(critical.calendarName).toBe('always');
      expect(isWithinBusinessHours(critical.calendar, saturdayNight)).toBe(true);
    }
    expect(isWithinBusinessHours(resolveSla(policy, 'standard', 'HIGH').calendar, saturdayNoon)).toBe(false);
  });

  it('escalates enterprise breaches: first response to the head of support, resolution to the technical team', () => {
    expect(resolveSla(policy, 'enterprise', 'MEDIUM').onBreach).toEqual({ FIRST_RESPONSE: { escalateTo: 3 }, RESOLUTION: { escalateTo: 2 } });
    expect(resolveSla(policy, 'enterprise', 'CRITICAL').targets.FIRST_RESPONSE).toBe(30 * 60_000);
    expect(resolveSla(policy, 'pro', 'MEDIUM').onBreach).toEqual({});
  });

  it('closes the standard calendar on the 2027 New Year holidays', () => {
    const calendar = resolveSla(policy, 'standard', 'HIGH').calendar;
    expect(isWithinBusinessHours(calendar, new Date('2027-01-05T12:00:00+03:00'))).toBe(false);
    expect(isWithinBusinessHours(calendar, new Date('2027-01-11T12:00:00+03:00'))).toBe(true);
  });
});
