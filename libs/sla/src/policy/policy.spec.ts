import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addBusinessTime } from '../calendar/business-time.js';
import { loadSlaPolicyFile } from './load-policy.js';
import { parseSlaPolicy } from './parse-policy.js';
import { SlaPolicyError, UnknownSlaTierError } from './policy.errors.js';
import { hasTier, resolveSla, tierChannels, tierNames } from './resolve.js';

const HOUR = 3_600_000;

/** The example of API.md, verbatim. */
const API_EXAMPLE = {
  version: '2026-11-22',
  calendars: {
    'business-msk': {
      timeZone: 'Europe/Moscow',
      hours: { mon: [['08:00', '20:00']], tue: [['08:00', '20:00']], wed: [['08:00', '20:00']], thu: [['08:00', '20:00']], fri: [['08:00', '20:00']] },
      holidays: ['2027-01-01'],
    },
    always: { timeZone: 'UTC', hours: '24x7' },
  },
  tiers: {
    free: { channels: [] },
    pro: {
      channels: ['WEB', 'EMAIL'],
      calendar: 'business-msk',
      targets: { CRITICAL: { firstResponse: 'PT1H', resolution: 'PT8H' }, HIGH: { firstResponse: 'PT4H' }, MEDIUM: { firstResponse: 'PT8H' }, LOW: { firstResponse: 'PT24H' } },
    },
    enterprise: {
      channels: ['WEB', 'EMAIL', 'CHAT', 'PHONE'],
      calendar: 'business-msk',
      calendarByPriority: { CRITICAL: 'always' },
      targets: { CRITICAL: { firstResponse: 'PT30M' } },
      onBreach: { FIRST_RESPONSE: { escalateTo: 3 } },
    },
  },
};

type Json = Record<string, unknown>;
/** The API example as a loosely typed draft to break in tests. */
type Draft = Json & { tiers: Record<string, Json>; calendars: Record<string, Json> };
type Edit = (policy: Draft) => unknown;

/** A copy of the API example with `edit` applied to it. */
function variant(edit: Edit): unknown {
  const copy = structuredClone(API_EXAMPLE) as unknown as Draft;
  edit(copy);
  return copy;
}

function policyError(json: unknown): SlaPolicyError {
  try {
    parseSlaPolicy(json);
  } catch (error) {
    if (error instanceof SlaPolicyError) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('parseSlaPolicy', () => {
  it('parses the example of API.md', () => {
    const policy = parseSlaPolicy(API_EXAMPLE);
    expect(policy.version).toBe('2026-11-22');
    expect(policy.atRiskShare).toBe(0.8);
    expect(tierNames(policy)).toEqual(['free', 'pro', 'enterprise']);
    expect(policy.tiers['pro']?.targets.CRITICAL).toEqual({ FIRST_RESPONSE: HOUR, RESOLUTION: 8 * HOUR });
    expect(Object.isFrozen(policy.tiers['pro']?.targets.CRITICAL)).toBe(true);
  });

  it.each([
    ['a bad duration', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['HIGH'] = { firstResponse: 'PT4X' }, 'tiers.pro.targets.HIGH.firstResponse', 'tiers.pro.targets.HIGH.firstResponse: "PT4X" is not an ISO-8601 duration'],
    ['months', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { resolution: 'P1M' }, 'tiers.pro.targets.LOW.resolution', /years and months have no fixed length/],
    ['days', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { resolution: 'P1D' }, 'tiers.pro.targets.LOW.resolution', /days and weeks are ambiguous in business time; write hours/],
    ['a zero duration', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { nextResponse: 'PT0S' }, 'tiers.pro.targets.LOW.nextResponse', /longer than zero/],
    ['a negative duration', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { nextResponse: 'PT-1H' }, 'tiers.pro.targets.LOW.nextResponse', /must not be negative/],
    ['sub-millisecond precision', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { nextResponse: 'PT0.0005S' }, 'tiers.pro.targets.LOW.nextResponse', /finer than a millisecond/],
    ['a number for a duration', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { firstResponse: 3600 }, 'tiers.pro.targets.LOW.firstResponse', /must be an ISO-8601 duration string/],
    ['an unknown target field', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['LOW'] = { firstReply: 'PT1H' }, 'tiers.pro.targets.LOW.firstReply', /unknown field/],
    ['an unknown priority', (p: Draft) => (p.tiers['pro']!['targets'] as Json)['URGENT'] = { firstResponse: 'PT1H' }, 'tiers.pro.targets.URGENT', /unknown priority \(expected CRITICAL, HIGH, MEDIUM, LOW\)/],
    ['an unknown calendar', (p: Draft) => (p.tiers['pro']!['calendar'] = 'business-spb'), 'tiers.pro.calendar', /unknown calendar "business-spb" \(defined: business-msk, always\)/],
    ['an unknown calendar for a priority', (p: Draft) => (p.tiers['enterprise']!['calendarByPriority'] = { CRITICAL: 'nights' }), 'tiers.enterprise.calendarByPriority.CRITICAL', /unknown calendar "nights"/],
    ['channels without a calendar', (p: Draft) => delete p.tiers['pro']!['calendar'], 'tiers.pro.calendar', /is required: the tier has channels \(WEB, EMAIL\)/],
    ['targets without a calendar', (p: Draft) => (p.tiers['free'] = { channels: [], targets: { LOW: { firstResponse: 'PT1H' } } }), 'tiers.free.calendar', /LOW has targets but no calendar/],
    ['an unknown channel', (p: Draft) => (p.tiers['pro']!['channels'] = ['WEB', 'FAX']), 'tiers.pro.channels[1]', /"FAX" is not a channel/],
    ['a channel listed twice', (p: Draft) => (p.tiers['pro']!['channels'] = ['WEB', 'WEB']), 'tiers.pro.channels[1]', /listed twice/],
    ['missing channels', (p: Draft) => delete p.tiers['pro']!['channels'], 'tiers.pro.channels', /is required/],
    ['an escalation level out of range', (p: Draft) => (p.tiers['enterprise']!['onBreach'] = { RESOLUTION: { escalateTo: 4 } }), 'tiers.enterprise.onBreach.RESOLUTION.escalateTo', /4 must be 1 \(frontline\), 2 \(technical team\) or 3 \(head of support\)/],
    ['an unknown metric', (p: Draft) => (p.tiers['enterprise']!['onBreach'] = { FIRST_REPLY: { escalateTo: 2 } }), 'tiers.enterprise.onBreach.FIRST_REPLY', /unknown metric/],
    ['an at-risk share of 1', (p: Draft) => (p['atRiskShare'] = 1), 'atRiskShare', /between 0 and 1/],
    ['a tier at-risk share of 0', (p: Draft) => (p.tiers['pro']!['atRiskShare'] = 0), 'tiers.pro.atRiskShare', /between 0 and 1/],
    ['a missing version', (p: Draft) => delete p['version'], 'version', /non-empty string/],
    ['a bad calendar inside the policy', (p: Draft) => (p.calendars['business-msk']!['holidays'] = ['2027-13-01']), 'calendars.business-msk.holidays[0]', /"2027-13-01" is not a date/],
    ['an unknown top-level field', (p: Draft) => (p['tier'] = {}), 'tier', /unknown field/],
    ['no tiers', (p: Draft) => (p['tiers'] = {}), 'tiers', /at least one tier/],
    ['a tier that is not an object', (p: Draft) => ((p.tiers as Json)['pro'] = 'WEB'), 'tiers.pro', /must be an object/],
  ] as [string, Edit, string, string | RegExp][])('refuses %s, naming the path', (_case, edit, path, message) => {
    const error = policyError(variant(edit));
    expect(error.path).toBe(path);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('accepts durations as short as seconds, and fractions', () => {
    const policy = parseSlaPolicy(variant((p) => ((p.tiers['pro']!['targets'] as Json)['LOW'] = { firstResponse: 'PT45S', nextResponse: 'PT1.5H', resolution: 'PT0.25S' })));
    expect(policy.tiers['pro']?.targets.LOW).toEqual({ FIRST_RESPONSE: 45_000, NEXT_RESPONSE: 1.5 * HOUR, RESOLUTION: 250 });
  });

  it('treats a tier named like an Object property as any other name', () => {
    const policy = parseSlaPolicy(variant((p) => Object.defineProperty(p.tiers, '__proto__', { value: { channels: [] }, enumerable: true })));
    expect(hasTier(policy, '__proto__')).toBe(true);
    expect(hasTier(policy, 'constructor')).toBe(false);
    expect(hasTier(policy, 'toString')).toBe(false);
  });
});

describe('resolveSla', () => {
  const policy = parseSlaPolicy(API_EXAMPLE);

  it('gives the tier calendar, targets in ms and the policy version', () => {
    const sla = resolveSla(policy, 'pro', 'CRITICAL');
    expect(sla).toMatchObject({ tier: 'pro', priority: 'CRITICAL', calendarName: 'business-msk', policyVersion: '2026-11-22', atRiskShare: 0.8, onBreach: {} });
    expect(sla.targets).toEqual({ FIRST_RESPONSE: HOUR, RESOLUTION: 8 * HOUR });
    expect(sla.calendar).toBe(policy.calendars['business-msk']);
  });

  it('lets calendarByPriority override the tier calendar', () => {
    const critical = resolveSla(policy, 'enterprise', 'CRITICAL');
    expect(critical.calendarName).toBe('always');
    expect(critical.targets).toEqual({ FIRST_RESPONSE: 30 * 60_000 });
    expect(critical.onBreach).toEqual({ FIRST_RESPONSE: { escalateTo: 3 } });
    // Saturday 03:00 UTC: on the 24/7 calendar the half hour runs at once.
    const saturday = new Date('2026-11-28T03:00:00Z');
    expect(addBusinessTime(critical.calendar, saturday, critical.targets.FIRST_RESPONSE!).toISOString()).toBe('2026-11-28T03:30:00.000Z');
    const high = resolveSla(policy, 'enterprise', 'HIGH');
    expect(high.calendarName).toBe('business-msk');
    expect(high.targets).toEqual({});
  });

  it('gives a tier without a calendar no targets and a 24x7 measuring calendar', () => {
    const sla = resolveSla(policy, 'free', 'LOW');
    expect(sla.calendarName).toBeNull();
    expect(sla.targets).toEqual({});
    expect(sla.calendar).toEqual({ timeZone: 'UTC', hours: '24x7' });
  });

  it('uses a tier’s own at-risk share over the policy default', () => {
    const custom = parseSlaPolicy(variant((p) => { p['atRiskShare'] = 0.75; p.tiers['pro']!['atRiskShare'] = 0.5; }));
    expect(resolveSla(custom, 'pro', 'LOW').atRiskShare).toBe(0.5);
    expect(resolveSla(custom, 'enterprise', 'LOW').atRiskShare).toBe(0.75);
  });

  it('answers channels and tier existence, and refuses unknown tiers', () => {
    expect(tierChannels(policy, 'free')).toEqual([]);
    expect(tierChannels(policy, 'enterprise')).toEqual(['WEB', 'EMAIL', 'CHAT', 'PHONE']);
    expect(hasTier(policy, 'pro')).toBe(true);
    expect(hasTier(policy, 'gold')).toBe(false);
    expect(() => resolveSla(policy, 'gold', 'LOW')).toThrow(UnknownSlaTierError);
    expect(() => tierChannels(policy, 'gold')).toThrow('SLA policy 2026-11-22 has no tier "gold"');
  });
});

describe('loadSlaPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracedesk-sla-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a valid file', () => {
    expect(loadSlaPolicyFile(file('ok.json', JSON.stringify(API_EXAMPLE))).version).toBe('2026-11-22');
  });

  it('names the file on a JSON syntax error', () => {
    const path = file('broken.json', '{ "version": "1", }');
    expect(() => loadSlaPolicyFile(path)).toThrow(new RegExp(`^${path.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}: is not valid JSON`));
  });

  it('names the file and the path on invalid content', () => {
    const path = file('bad.json', JSON.stringify(variant((p) => ((p.tiers['pro']!['targets'] as Json)['HIGH'] = { firstResponse: 'PT4X' }))));
    expect(() => loadSlaPolicyFile(path)).toThrow(`${path}: tiers.pro.targets.HIGH.firstResponse: "PT4X" is not an ISO-8601 duration`);
  });

  it('names the file when it cannot be read', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadSlaPolicyFile(path)).toThrow(`${path}: cannot be read`);
  });
});
