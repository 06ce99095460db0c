/*
 * Throughput of addBusinessTime on the seeds' calendar (08:00–20:00 Europe/Moscow, weekdays,
 * New Year holidays), random starts over 2026–2027 and durations up to one week (168 h) of
 * business time. Run: node --import @swc-node/register/esm-register libs/sla/bench/add-business-time.bench.ts
 */
import { addBusinessTime, type BusinessCalendar } from '../src/index.js';

const day = [['08:00', '20:00']] as const;
const calendar: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  hours: { mon: day, tue: day, wed: day, thu: day, fri: day },
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08'],
};

const WEEK = 7 * 24 * 3_600_000;
const from = Date.parse('2026-01-01T00:00:00Z');
const span = Date.parse('2028-01-01T00:00:00Z') - from;

// A fixed pseudo-random sequence so runs are comparable.
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const N = 200_000;
const starts = Array.from({ length: N }, () => new Date(from + Math.floor(random() * span)));
const durations = Array.from({ length: N }, () => Math.floor(random() * WEEK));

function run(label: string, pick: (i: number) => number): void {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) sink += addBusinessTime(calendar, starts[i] as Date, pick(i)).getTime() % 7;
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${label}: ${Math.round(N / seconds).toLocaleString('en-US')} ops/s (${sink > 0 ? 'ok' : ''})`);
}

run('warm-up (fills the day cache)', (i) => durations[i] as number);
run('durations 0..1 week', (i) => durations[i] as number);
run('durations 0..8 h', (i) => (durations[i] as number) % (8 * 3_600_000));
run('exactly 1 week', () => WEEK);

// Starts spread over 40 years: most days are not in the bounded day cache and go through Luxon.
const wide = Date.parse('2000-01-01T00:00:00Z');
for (let i = 0; i < N; i++) starts[i] = new Date(wide + Math.floor(random() * 40 * 365.25 * 86_400_000));
run('starts over 2000-2040 (cache misses)', (i) => durations[i] as number);
