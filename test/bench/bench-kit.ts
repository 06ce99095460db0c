/**
 * Shared pieces of the benchmark scripts (`npm run bench -- <name>`): the module contract a
 * `<name>.bench.ts` file fulfils, timing, percentiles, table printing and temporary
 * directories that are removed when the run ends.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** One measured number. `key` is stable so results can be compared across runs. */
export interface Figure {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** Everything else measured for this figure (counts, durations, percentiles). */
  details?: Record<string, number | string>;
}

/** A ratio or figure held against a target (higher is better). */
export interface TargetCheck {
  key: string;
  label: string;
  value: number;
  target: number;
  unit: string;
  pass: boolean;
  /** The target is a ceiling (e.g. a latency): pass when value <= target. */
  atMost?: boolean;
}

export interface BenchResult {
  name: string;
  description: string;
  figures: Figure[];
  targets: TargetCheck[];
  /** Workload parameters, so a JSON result says what was measured. */
  parameters: Record<string, number | string | boolean>;
  notes?: string[];
}

export interface BenchOptions {
  /** `BENCH_SCALE` (default 1): multiplies counts and durations, e.g. 0.1 for a quick run. */
  scale: number;
  /** A fresh directory under `os.tmpdir()`, removed when the run ends. */
  tempDir: (prefix: string) => string;
  /** Progress and phase messages go to stderr so stdout carries only the table. */
  log: (message: string) => void;
}

/** What every `test/bench/<name>.bench.ts` module exports. */
export interface BenchModule {
  run: (options: BenchOptions) => Promise<BenchResult>;
}

export function isBenchModule(value: unknown): value is BenchModule {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function';
}

export function benchScale(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BENCH_SCALE'];
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number (got "${raw}")`);
  return scale;
}

/** A positive integer from the environment, for per-benchmark overrides. */
export function envInt(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

export function now(): number {
  return performance.now();
}

/** Runs `fn` and returns its result with the elapsed milliseconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ result: T; ms: number }> {
  const start = now();
  const result = await fn();
  return { result, ms: now() - start };
}

/** Nearest-rank percentile of an ascending-sorted array; `p` in [0, 100]. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

/** Latencies recorded into a preallocated buffer, so recording does not allocate in the hot loop. */
export class LatencyRecorder {
  private values: Float64Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.values = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
  }

  summary(): { p50: number; p90: number; p99: number; max: number; mean: number } {
    const sorted = this.values.slice(0, this.count).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
      mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    };
  }
}

/** Rounds for display and for JSON: 3 significant decimals below 100, integers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Math.round(value * 1000) / 1000;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return round(value).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** A plain-text table; numeric-looking cells are right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = /^[-+]?[\d,.]+(\s?[%x])?$/;
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return numeric.test(cell) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function formatResult(result: BenchResult): string {
  const figures = formatTable(
    ['figure', 'value', 'unit'],
    result.figures.map((f) => [f.label, formatNumber(f.value), f.unit]),
  );
  const parts = [`== ${result.name}: ${result.description}`, figures];
  if (result.targets.length > 0) {
    parts.push(
      formatTable(
        ['target', 'measured', 'target', 'result'],
        result.targets.map((t) => [t.label, formatNumber(t.value), `${t.atMost ? '<=' : '>='} ${formatNumber(t.target)}`, t.pass ? 'PASS' : 'MISS']),
      ),
    );
  }
  const notes = (result.notes ?? []).map((note) => `note: ${note}`);
  if (notes.length > 0) parts.push(notes.join('\n'));
  return parts.join('\n\n');
}

/** Temporary directories created during a run; `cleanup()` removes them all. */
export class TempDirs {
  private readonly dirs: string[] = [];

  create(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `tracedesk-bench-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Deterministic pseudo-random numbers, so every run writes the same data (the simulation's PRNG). */
export { seededRandom } from '@tracedesk/domain';

/** Current size of V8's young generation (new space), in KiB. */
export function youngGenerationKiB(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? Math.round(space.space_size / 1024) : Number.NaN;
}

/**
 * Garbage-collection time spent between `start()` and `stop()`. Throughput of code that
 * keeps batches of parsed objects alive depends heavily on it, so phases report it.
 */
export class GcMonitor {
  private readonly entries: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => this.entries.push(...list.getEntries()));
  private startedAt = 0;

  start(): this {
    this.startedAt = now();
    this.observer.observe({ entryTypes: ['gc'] });
    return this;
  }

  async stop(): Promise<{ gcMs: number; collections: number }> {
    const stoppedAt = now();
    // Node reports GC entries from a later event-loop turn; give it two turns to deliver them.
    for (let turn = 0; turn < 2; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
    this.entries.push(...this.observer.takeRecords());
    this.observer.disconnect();
    const inWindow = this.entries.filter((e) => e.startTime >= this.startedAt && e.startTime <= stoppedAt);
    return { gcMs: inWindow.reduce((sum, e) => sum + e.duration, 0), collections: inWindow.length };
  }
}

interface CpuSnapshot {
  busySeconds: number;
  ownSeconds: number;
  at: number;
}

function cpuSnapshot(): CpuSnapshot | null {
  try {
    // Linux only: the first line of /proc/stat sums CPU time of all cores, in clock ticks.
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
    const usage = process.cpuUsage();
    return { busySeconds: (total - idle) / 100, ownSeconds: (usage.user + usage.system) / 1e6, at: now() };
  } catch {
    return null;
  }
}

/**
 * How busy the machine was with other work during a run: on a shared machine this says
 * whether a slow figure is the code's or the neighbours'.
 */
export class MachineLoad {
  private readonly start = cpuSnapshot();

  /** Average share of all cores used by other processes since construction, in percent. */
  otherCpuPercent(): number {
    const end = cpuSnapshot();
    if (!this.start || !end) return Number.NaN;
    const wall = (end.at - this.start.at) / 1000;
    const others = end.busySeconds - this.start.busySeconds - (end.ownSeconds - this.start.ownSeconds);
    return Math.max(0, (others / (wall * cpus().length)) * 100);
  }
}
