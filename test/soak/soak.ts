/**
 * `npm run soak` — the real server under a steady mixed load for a bounded time (default 10
 * minutes; SOAK_MINUTES or --minutes to change, SOAK_RATE / --rate requests per second,
 * SOAK_CLIENTS / --clients). Reports every 30 s; writes test/soak/results/soak.json; exits
 * non-zero when the verdict fails (RSS not flat within 10% of the post-warm-up value, errors).
 */
import { join } from 'node:path';
import { formatSummary, runSoak } from './soak-run.js';

function setting(flag: string, env: string, fallback: number): number {
  const at = process.argv.indexOf(`--${flag}`);
  const raw = at >= 0 ? process.argv[at + 1] : process.argv.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3) ?? process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`soak: --${flag} / ${env} must be a positive number (got "${raw}")\n`);
    process.exit(2);
  }
  return value;
}

const minutes = setting('minutes', 'SOAK_MINUTES', 10);
const result = await runSoak({
  minutes,
  rate: setting('rate', 'SOAK_RATE', 120),
  clients: setting('clients', 'SOAK_CLIENTS', 8),
  reportEverySec: setting('report-every', 'SOAK_REPORT_EVERY_SEC', 30),
  // Two minutes of warm-up: the server's bounded caches (folded ticket states, SQLite pages)
  // fill first; a third of the run when it is shorter than 6 minutes.
  warmupSec: Math.min(120, (minutes * 60) / 3),
  out: join(process.cwd(), 'test/soak/results/soak.json'),
  seed: setting('seed', 'SOAK_SEED', Math.floor(Math.random() * 2 ** 31)),
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`\n[soak] summary\n${formatSummary(result)}\n`);
process.exit(result.verdict.ok ? 0 : 1);
