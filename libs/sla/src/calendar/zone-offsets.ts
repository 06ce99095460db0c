import type { IANAZone } from 'luxon';

const MS_PER_DAY = 86_400_000;
/** Years of transitions kept per zone before the memo is dropped (bounded memory). */
const MAX_YEARS = 400;

interface YearOffsets {
  /** Offset in ms at the first instant of the UTC year. */
  readonly first: number;
  /** Offset changes within the year: `[at0, offset0, at1, offset1, …]`, `at` = first ms of the new offset. */
  readonly changes: readonly number[];
}

/**
 * UTC offsets of one IANA zone, read from Luxon (Intl underneath, ~7 µs a call) once per UTC year
 * and then answered from memory. A year is sampled daily and each change is bisected to the
 * millisecond, which assumes at most one offset change within any 24 hours — true of tzdb's
 * zones (DST, and one-off shifts such as Samoa skipping 2011-12-30).
 */
export class ZoneOffsets {
  private readonly years = new Map<number, YearOffsets>();

  constructor(private readonly zone: IANAZone) {}

  /** Offset (local minus UTC) in ms at instant `t`. */
  at(t: number): number {
    const year = new Date(t).getUTCFullYear();
    let offsets = this.years.get(year);
    if (offsets === undefined) {
      if (this.years.size >= MAX_YEARS) this.years.clear();
      offsets = this.scanYear(year);
      this.years.set(year, offsets);
    }
    let offset = offsets.first;
    const changes = offsets.changes;
    for (let i = 0; i < changes.length && changes[i]! <= t; i += 2) offset = changes[i + 1]!;
    return offset;
  }

  private luxon(t: number): number {
    // Luxon answers in minutes, fractional for historical offsets with seconds.
    return Math.round(this.zone.offset(t) * 60_000);
  }

  private scanYear(year: number): YearOffsets {
    const from = Date.UTC(year, 0, 1);
    const to = Date.UTC(year + 1, 0, 1);
    const first = this.luxon(from);
    const changes: number[] = [];
    let lo = from;
    let loOffset = first;
    while (lo < to) {
      const hi = Math.min(lo + MS_PER_DAY, to);
      const hiOffset = hi < to ? this.luxon(hi) : this.luxon(to - 1);
      const edge = hi < to ? hi : to - 1;
      if (hiOffset !== loOffset) {
        let a = lo;
        let b = edge; // offset(a) = loOffset, offset(b) = hiOffset: find the first ms of hiOffset
        while (b - a > 1) {
          const mid = Math.floor((a + b) / 2);
          if (this.luxon(mid) === loOffset) a = mid;
          else b = mid;
        }
        changes.push(b, hiOffset);
      }
      lo = hi;
      loOffset = hiOffset;
    }
    return { first, changes };
  }
}
