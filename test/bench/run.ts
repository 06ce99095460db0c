/**
 * Benchmark dispatcher: `npm run bench -- <name> [more names]` runs `test/bench/<name>.bench.ts`,
 * prints a table on stdout and writes `test/bench/results/<name>.json`.
 * Without a name it lists the benchmarks; an unknown name exits with status 1.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchScale, formatResult, isBenchModule, MachineLoad, round, TempDirs, type BenchResult } from './bench-kit.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(benchDir, 'results');
const SUFFIX = '.bench.ts';

function availableBenchmarks(): string[] {
  return readdirSync(benchDir)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .sort();
}

function usage(available: string[]): string {
  return [
    'usage: npm run bench -- <name> [more names]   (BENCH_SCALE=0.1 for a quick run)',
    `available: ${available.length > 0 ? available.join(', ') : '(none)'}`,
  ].join('\n');
}

function environment(): Record<string, string | number> {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
  };
}

async function runOne(name: string, temp: TempDirs, scale: number): Promise<BenchResult> {
  const loaded: unknown = await import(pathToFileURL(join(benchDir, `${name}${SUFFIX}`)).href);
  if (!isBenchModule(loaded)) throw new Error(`${name}${SUFFIX} does not export run(options)`);
  return loaded.run({
    scale,
    tempDir: (prefix) => temp.create(prefix),
    log: (message) => process.stderr.write(`[${name}] ${message}\n`),
  });
}

async function main(argv: string[]): Promise<number> {
  const available = availableBenchmarks();
  if (argv.length === 0) {
    console.log(usage(available));
    return 0;
  }
  const unknown = argv.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(', ')}\n${usage(available)}`);
    return 1;
  }
  const scale = benchScale();
  const temp = new TempDirs();
  // Remove temp files even when the run is interrupted (Ctrl-C during a long fill).
  const onSignal = (signal: NodeJS.Signals): void => {
    temp.cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  mkdirSync(resultsDir, { recursive: true });
  try {
    for (const name of argv) {
      const loadAtStart = loadavg()[0] ?? Number.NaN;
      const load = new MachineLoad();
      const result = await runOne(name, temp, scale);
      temp.cleanup();
      // Other processes share the cores: record how much, so a slow run can be told apart.
      const machine = {
        loadAverage1mAtStart: round(loadAtStart),
        loadAverage1mAtEnd: round(loadavg()[0] ?? Number.NaN),
        otherProcessesCpuPercent: round(load.otherCpuPercent()),
      };
      const file = join(resultsDir, `${name}.json`);
      writeFileSync(file, `${JSON.stringify({ ...environment(), scale, machine, ...result }, null, 2)}\n`);
      console.log(`${formatResult(result)}`);
      console.log(
        `machine: ${environment()['cpuCount']} x ${environment()['cpuModel']}, node ${process.version}; other processes used ` +
          `${machine.otherProcessesCpuPercent}% of the cores during the run (load average ${machine.loadAverage1mAtStart} -> ${machine.loadAverage1mAtEnd})\n`,
      );
      process.stderr.write(`[${name}] wrote ${file}\n`);
    }
  } finally {
    temp.cleanup();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
