import { InvalidCalendarError } from '../calendar/calendar.errors.js';
import type { BusinessCalendar } from '../calendar/calendar.types.js';
import { parseBusinessCalendar } from '../calendar/parse-calendar.js';
import { childPath, isPlainObject, show } from '../json-path.js';
import { parseTargetDuration } from './duration.js';
import { SlaPolicyError } from './policy.errors.js';
import {
  CHANNELS,
  PRIORITIES,
  SLA_METRICS,
  TARGET_FIELDS,
  type BreachAction,
  type Channel,
  type EscalationLevel,
  type Priority,
  type SlaMetric,
  type SlaPolicy,
  type SlaTargets,
  type SlaTier,
} from './policy.types.js';
import { deepFreeze } from '@tracedesk/util';

export const DEFAULT_AT_RISK_SHARE = 0.8;

type Json = Record<string, unknown>;

function fail(path: string, detail: string): never {
  throw new SlaPolicyError(detail, path);
}

/** An object with only the `allowed` keys; `description` is always allowed, for notes. */
function object(value: unknown, path: string, allowed: readonly string[], what: string): Json {
  if (!isPlainObject(value)) fail(path, `must be an object (${what})`);
  for (const key of Object.keys(value)) {
    if (key === 'description') {
      if (typeof value[key] !== 'string') fail(childPath(path, key), 'must be a string');
    } else if (!allowed.includes(key)) {
      fail(childPath(path, key), `unknown field (expected ${allowed.join(', ')})`);
    }
  }
  return value;
}

/** An object whose keys must come from `keys` (priorities, metrics…). */
function keyedBy<K extends string>(value: unknown, path: string, keys: readonly K[], what: string): Partial<Record<K, unknown>> {
  if (!isPlainObject(value)) fail(path, `must be an object keyed by ${what} (${keys.join(', ')})`);
  for (const key of Object.keys(value)) {
    if (!(keys as readonly string[]).includes(key)) fail(childPath(path, key), `unknown ${what} (expected ${keys.join(', ')})`);
  }
  return value as Partial<Record<K, unknown>>;
}

function share(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) fail(path, `${show(value)} must be a number between 0 and 1 (exclusive)`);
  return value;
}

function calendarRef(value: unknown, path: string, calendars: Readonly<Record<string, BusinessCalendar>>): string {
  if (typeof value !== 'string') fail(path, `${show(value)} must be the name of a calendar`);
  if (!Object.hasOwn(calendars, value)) {
    const known = Object.keys(calendars);
    fail(path, `unknown calendar "${value}" (defined: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }
  return value;
}

function parseChannels(value: unknown, path: string): Channel[] {
  if (!Array.isArray(value)) fail(path, `must be a list of channels (${CHANNELS.join(', ')}); [] for none`);
  const channels: Channel[] = [];
  value.forEach((item: unknown, index) => {
    const itemPath = childPath(path, index);
    if (!(CHANNELS as readonly unknown[]).includes(item)) fail(itemPath, `${show(item)} is not a channel (expected ${CHANNELS.join(', ')})`);
    const channel = item as Channel;
    if (channels.includes(channel)) fail(itemPath, `${channel} is listed twice`);
    channels.push(channel);
  });
  return channels;
}

function parseTargets(value: unknown, path: string): SlaTargets {
  const fields = Object.keys(TARGET_FIELDS) as (keyof typeof TARGET_FIELDS)[];
  const json = object(value, path, fields, 'firstResponse, nextResponse, resolution as ISO-8601 durations');
  const targets: Partial<Record<SlaMetric, number>> = {};
  for (const field of fields) {
    if (json[field] === undefined) continue;
    const parsed = parseTargetDuration(json[field]);
    if ('error' in parsed) fail(childPath(path, field), parsed.error);
    targets[TARGET_FIELDS[field]] = parsed.ms;
  }
  return targets;
}

function parseOnBreach(value: unknown, path: string): Partial<Record<SlaMetric, BreachAction>> {
  const json = keyedBy(value, path, SLA_METRICS, 'metric');
  const actions: Partial<Record<SlaMetric, BreachAction>> = {};
  for (const metric of SLA_METRICS) {
    if (json[metric] === undefined) continue;
    const actionPath = childPath(path, metric);
    const action = object(json[metric], actionPath, ['escalateTo'], '{ "escalateTo": 1 | 2 | 3 }');
    const level = action['escalateTo'];
    if (level !== 1 && level !== 2 && level !== 3) {
      fail(childPath(actionPath, 'escalateTo'), `${show(level)} must be 1 (frontline), 2 (technical team) or 3 (head of support)`);
    }
    actions[metric] = { escalateTo: level as EscalationLevel };
  }
  return actions;
}

const TIER_FIELDS = ['channels', 'calendar', 'calendarByPriority', 'targets', 'onBreach', 'atRiskShare'];

function parseTier(
  name: string,
  value: unknown,
  path: string,
  calendars: Readonly<Record<string, BusinessCalendar>>,
  defaultShare: number,
): SlaTier {
  const json = object(value, path, TIER_FIELDS, 'a tier');
  if (json['channels'] === undefined) fail(childPath(path, 'channels'), 'is required ([] for a self-service-only tier)');
  const channels = parseChannels(json['channels'], childPath(path, 'channels'));
  const calendar = json['calendar'] === undefined ? undefined : calendarRef(json['calendar'], childPath(path, 'calendar'), calendars);

  const calendarByPriority: Partial<Record<Priority, string>> = {};
  if (json['calendarByPriority'] !== undefined) {
    const byPath = childPath(path, 'calendarByPriority');
    const by = keyedBy(json['calendarByPriority'], byPath, PRIORITIES, 'priority');
    for (const priority of PRIORITIES) {
      if (by[priority] !== undefined) calendarByPriority[priority] = calendarRef(by[priority], childPath(byPath, priority), calendars);
    }
  }

  const targets: Partial<Record<Priority, SlaTargets>> = {};
  if (json['targets'] !== undefined) {
    const targetsPath = childPath(path, 'targets');
    const byPriority = keyedBy(json['targets'], targetsPath, PRIORITIES, 'priority');
    for (const priority of PRIORITIES) {
      if (byPriority[priority] !== undefined) targets[priority] = parseTargets(byPriority[priority], childPath(targetsPath, priority));
    }
  }

  // Every clock needs a calendar to run on.
  if (calendar === undefined) {
    if (channels.length > 0) fail(childPath(path, 'calendar'), `is required: the tier has channels (${channels.join(', ')})`);
    const uncovered = PRIORITIES.filter((p) => targets[p] !== undefined && calendarByPriority[p] === undefined);
    if (uncovered.length > 0) fail(childPath(path, 'calendar'), `is required: ${uncovered.join(', ')} ha${uncovered.length > 1 ? 've' : 's'} targets but no calendar`);
  }

  const onBreach = json['onBreach'] === undefined ? {} : parseOnBreach(json['onBreach'], childPath(path, 'onBreach'));
  const atRiskShare = json['atRiskShare'] === undefined ? defaultShare : share(json['atRiskShare'], childPath(path, 'atRiskShare'));
  return { name, channels, ...(calendar === undefined ? {} : { calendar }), calendarByPriority, targets, onBreach, atRiskShare };
}

/** Sets an own property even for a name like "__proto__", which plain assignment would not. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Validates an SLA policy (the parsed JSON of the policy file) and returns it typed, with
 * targets in milliseconds, frozen. Throws `SlaPolicyError` naming the first bad path.
 */
export function parseSlaPolicy(json: unknown): SlaPolicy {
  const root = object(json, '', ['version', 'calendars', 'tiers', 'atRiskShare'], '{ version, calendars, tiers }');
  const version = root['version'];
  if (typeof version !== 'string' || version.trim() === '') fail('version', `${show(version)} must be a non-empty string`);
  const atRiskShare = root['atRiskShare'] === undefined ? DEFAULT_AT_RISK_SHARE : share(root['atRiskShare'], 'atRiskShare');

  if (!isPlainObject(root['calendars'])) fail('calendars', 'must be an object of named calendars');
  const calendars: Record<string, BusinessCalendar> = {};
  for (const [name, value] of Object.entries(root['calendars'])) {
    try {
      if (name === '') fail('calendars[""]', 'a calendar needs a non-empty name');
      setOwn(calendars, name, parseBusinessCalendar(value, childPath('calendars', name)));
    } catch (error) {
      if (error instanceof InvalidCalendarError) fail(error.path, error.detail);
      throw error;
    }
  }

  if (!isPlainObject(root['tiers'])) fail('tiers', 'must be an object of named tiers');
  const tiers: Record<string, SlaTier> = {};
  for (const [name, value] of Object.entries(root['tiers'])) {
    if (name === '') fail('tiers[""]', 'a tier needs a non-empty name');
    setOwn(tiers, name, parseTier(name, value, childPath('tiers', name), calendars, atRiskShare));
  }
  if (Object.keys(tiers).length === 0) fail('tiers', 'must define at least one tier');

  return deepFreeze({ version, calendars, tiers, atRiskShare });
}
