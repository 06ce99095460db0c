import type { BusinessCalendar } from './calendar.types.js';
import { calendarRules, MS_PER_DAY, type CalendarRules } from './parse-calendar.js';
import { ZoneOffsets } from './zone-offsets.js';

const MS_PER_MINUTE = 60_000;
/** Each cache generation holds this many local days; two generations ≈ 22 years of days. */
const CACHE_GENERATION_SIZE = 4096;
/** `Date` covers ±8.64e15 ms, i.e. ±1e8 days around the epoch. */
const MAX_DAY = 100_000_000;

/**
 * One local calendar day, turned into UTC instants. Days partition the time line:
 * `end` of one day is `start` of the next, so walking days never skips or repeats an instant.
 */
export interface BusinessDay {
  /** Days since 1970-01-01 of the local date. */
  readonly day: number;
  /** First instant (UTC ms) of the local day. */
  readonly start: number;
  /** First instant (UTC ms) of the next local day; `end - start` is 23 or 25 h on DST days. */
  readonly end: number;
  /** Open intervals `[open0, close0, open1, …]` in UTC ms, sorted, non-empty, within [start, end]. */
  readonly open: readonly number[];
  /** Sum of the open intervals, in ms. */
  readonly businessMs: number;
}

/**
 * A validated calendar with its rules precomputed and a bounded cache of local days in UTC.
 * Zone offsets come from Luxon through a per-zone memo (`ZoneOffsets`); the arithmetic itself is
 * plain number comparisons over cached days.
 */
export class CompiledCalendar {
  private current = new Map<number, BusinessDay>();
  private previous = new Map<number, BusinessDay>();
  /** Offset of the zone at the last day located; only a first guess, corrected by walking. */
  private offsetGuess = 0;
  private readonly offsets: ZoneOffsets;

  constructor(
    readonly source: BusinessCalendar,
    private readonly rules: CalendarRules,
  ) {
    this.offsets = zoneOffsets(rules);
  }

  get timeZone(): string {
    return this.source.timeZone;
  }

  /** True for 24x7 without holidays: business time equals elapsed time. */
  get alwaysOpen(): boolean {
    return this.rules.alwaysOpen;
  }

  /** The local day `day` (days since the epoch). Two-generation cache: bounded, LRU-like. */
  day(day: number): BusinessDay {
    let found = this.current.get(day);
    if (found !== undefined) return found;
    found = this.previous.get(day) ?? this.computeDay(day);
    if (this.current.size >= CACHE_GENERATION_SIZE) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(day, found);
    return found;
  }

  /** The local day containing the instant `t` (UTC ms). */
  dayAt(t: number): BusinessDay {
    let found = this.day(Math.floor((t + this.offsetGuess) / MS_PER_DAY));
    while (t < found.start) found = this.day(found.day - 1);
    while (t >= found.end) found = this.day(found.day + 1);
    this.offsetGuess = found.day * MS_PER_DAY - found.start;
    return found;
  }

  /**
   * The first instant at which the local clock shows `wall` (a local date-time written as if it
   * were UTC ms) or later on that date:
   * - normal times have exactly one instant;
   * - a time repeated when clocks go back resolves to its first occurrence;
   * - a time skipped when clocks go forward resolves to the instant of the jump (02:30 on a
   *   02:00→03:00 night is 03:00 summer time), so an interval inside the gap is empty.
   */
  private wallToUtc(wall: number): number {
    const before = this.offsets.at(wall - MS_PER_DAY);
    const after = this.offsets.at(wall + MS_PER_DAY);
    let best = Number.POSITIVE_INFINITY;
    for (const offset of before === after ? [before] : [before, after]) {
      const t = wall - offset;
      if (t + this.offsets.at(t) === wall && t < best) best = t;
    }
    if (best !== Number.POSITIVE_INFINITY) return best;
    if (after > before) {
      // Skipped wall time: the jump lies in (wall - after, wall - before]; find it to the ms.
      let lo = wall - after;
      let hi = wall - before;
      if (this.offsets.at(lo) !== before) return hi;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.offsets.at(mid) === before) lo = mid;
        else hi = mid;
      }
      return hi;
    }
    return wall - before; // more than one transition within two days: no real zone does this
  }

  private computeDay(day: number): BusinessDay {
    if (!Number.isInteger(day) || Math.abs(day) > MAX_DAY) throw new RangeError('Business time beyond the range of Date');
    const wall0 = day * MS_PER_DAY;
    const start = this.wallToUtc(wall0);
    const end = this.wallToUtc(wall0 + MS_PER_DAY);
    const weekday = ((day % 7) + 7 + 3) % 7; // 0 = Monday; 1970-01-01 was a Thursday
    const minutes = this.rules.holidays.has(day) ? [] : (this.rules.weekly[weekday] ?? []);
    const open: number[] = [];
    let businessMs = 0;
    for (let i = 0; i + 1 < minutes.length; i += 2) {
      const from = Math.min(Math.max(this.wallToUtc(wall0 + minutes[i]! * MS_PER_MINUTE), start), end);
      const to = Math.min(Math.max(this.wallToUtc(wall0 + minutes[i + 1]! * MS_PER_MINUTE), start), end);
      if (to <= from) continue; // wholly inside a skipped hour
      if (open.length > 0 && open[open.length - 1] === from) open[open.length - 1] = to;
      else open.push(from, to);
      businessMs += to - from;
    }
    return { day, start, end, open, businessMs };
  }
}

const offsetsByZone = new Map<string, ZoneOffsets>();

/** One offset memo per zone, shared by every calendar in that zone. */
function zoneOffsets(rules: CalendarRules): ZoneOffsets {
  let offsets = offsetsByZone.get(rules.zone.name);
  if (offsets === undefined) {
    offsets = new ZoneOffsets(rules.zone);
    offsetsByZone.set(rules.zone.name, offsets);
  }
  return offsets;
}

const compiledByCalendar = new WeakMap<object, CompiledCalendar>();

/**
 * Validates `calendar` and precomputes what the arithmetic needs, once per calendar object
 * (cached in a WeakMap). Calendars are treated as immutable: do not mutate one after its first use.
 * Throws `InvalidCalendarError` naming the bad path.
 */
export function compileCalendar(calendar: BusinessCalendar | CompiledCalendar): CompiledCalendar {
  if (calendar instanceof CompiledCalendar) return calendar;
  let compiled = compiledByCalendar.get(calendar);
  if (compiled === undefined) {
    compiled = new CompiledCalendar(calendar, calendarRules(calendar));
    compiledByCalendar.set(calendar, compiled);
  }
  return compiled;
}
