import type { BusinessCalendar } from '../calendar/calendar.types.js';
import { UnknownSlaTierError } from './policy.errors.js';
import { PRIORITIES, type Channel, type Priority, type ResolvedSla, type SlaPolicy, type SlaTier } from './policy.types.js';

/** 24/7 in UTC: business time is elapsed time. Used to measure tickets of a tier without SLA. */
export const ALWAYS_OPEN_CALENDAR: BusinessCalendar = Object.freeze({ timeZone: 'UTC', hours: '24x7' });

export function hasTier(policy: SlaPolicy, tier: string): boolean {
  return Object.hasOwn(policy.tiers, tier);
}

export function tierNames(policy: SlaPolicy): string[] {
  return Object.keys(policy.tiers);
}

function tierOf(policy: SlaPolicy, tier: string): SlaTier {
  const found = Object.hasOwn(policy.tiers, tier) ? policy.tiers[tier] : undefined;
  if (found === undefined) throw new UnknownSlaTierError(tier, policy.version);
  return found;
}

/** Channels a tier may open tickets through; `[]` for a self-service-only tier. Throws for an unknown tier. */
export function tierChannels(policy: SlaPolicy, tier: string): readonly Channel[] {
  return tierOf(policy, tier).channels;
}

/**
 * What a ticket of (tier, priority) is held to: its calendar (`calendarByPriority` first, then
 * the tier's), its targets in business ms, the breach actions, the at-risk share and the policy
 * version to record on events. A tier without a calendar gets no targets and the 24x7 UTC
 * calendar (`calendarName: null`). Throws `UnknownSlaTierError` for a tier the policy lacks.
 */
export function resolveSla(policy: SlaPolicy, tier: string, priority: Priority): ResolvedSla {
  const found = tierOf(policy, tier);
  if (!PRIORITIES.includes(priority)) throw new RangeError(`Unknown priority ${String(priority)}`);
  const calendarName = found.calendarByPriority[priority] ?? found.calendar ?? null;
  const calendar = calendarName === null ? undefined : policy.calendars[calendarName];
  return Object.freeze({
    tier,
    priority,
    calendar: calendar ?? ALWAYS_OPEN_CALENDAR,
    calendarName: calendar === undefined ? null : calendarName,
    targets: calendar === undefined ? {} : (found.targets[priority] ?? {}),
    onBreach: found.onBreach,
    atRiskShare: found.atRiskShare,
    policyVersion: policy.version,
  });
}
