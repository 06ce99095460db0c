import type { BusinessCalendar } from '../calendar/calendar.types.js';

export const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CHANNELS = ['WEB', 'EMAIL', 'CHAT', 'PHONE'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SLA_METRICS = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

/** 1 frontline, 2 technical team, 3 head of support (API.md, `escalateTicket`). */
export type EscalationLevel = 1 | 2 | 3;

/** Keys of a target in the file, and the metric each one sets. */
export const TARGET_FIELDS = {
  firstResponse: 'FIRST_RESPONSE',
  nextResponse: 'NEXT_RESPONSE',
  resolution: 'RESOLUTION',
} as const satisfies Record<string, SlaMetric>;

/* ---- The file, as written (API.md "SLA policy file") ---- */

export interface SlaTargetsFile {
  readonly firstResponse?: string;
  readonly nextResponse?: string;
  readonly resolution?: string;
}

export interface SlaTierFile {
  readonly channels: readonly Channel[];
  readonly calendar?: string;
  readonly calendarByPriority?: { readonly [P in Priority]?: string };
  readonly targets?: { readonly [P in Priority]?: SlaTargetsFile };
  readonly onBreach?: { readonly [M in SlaMetric]?: BreachAction };
  readonly atRiskShare?: number;
}

export interface SlaPolicyFile {
  readonly version: string;
  readonly calendars: Readonly<Record<string, BusinessCalendar>>;
  readonly tiers: Readonly<Record<string, SlaTierFile>>;
  readonly atRiskShare?: number;
}

/* ---- The parsed policy ---- */

export interface BreachAction {
  readonly escalateTo: EscalationLevel;
}

/** Business-time targets in milliseconds; a missing metric has no clock. */
export type SlaTargets = { readonly [M in SlaMetric]?: number };

export interface SlaTier {
  readonly name: string;
  readonly channels: readonly Channel[];
  /** Name of the tier's calendar; absent only for a tier without channels and targets. */
  readonly calendar?: string;
  readonly calendarByPriority: { readonly [P in Priority]?: string };
  readonly targets: { readonly [P in Priority]?: SlaTargets };
  readonly onBreach: { readonly [M in SlaMetric]?: BreachAction };
  /** Share of a target after which a running clock is "at risk" (tier value or policy default). */
  readonly atRiskShare: number;
}

/** A validated, frozen policy. Look tiers up with `hasTier` / `resolveSla`, not by indexing. */
export interface SlaPolicy {
  readonly version: string;
  readonly calendars: Readonly<Record<string, BusinessCalendar>>;
  readonly tiers: Readonly<Record<string, SlaTier>>;
  readonly atRiskShare: number;
}

/** What a ticket of (tier, priority) is held to. */
export interface ResolvedSla {
  readonly tier: string;
  readonly priority: Priority;
  /** The calendar object of the policy (stable identity: compiled once, cached). */
  readonly calendar: BusinessCalendar;
  /** Null when the tier has no calendar (no SLA); `calendar` is then 24x7 UTC, for measuring only. */
  readonly calendarName: string | null;
  readonly targets: SlaTargets;
  readonly onBreach: { readonly [M in SlaMetric]?: BreachAction };
  readonly atRiskShare: number;
  readonly policyVersion: string;
}
