import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './testing/gateway-harness.js';

describe('/health and /metrics', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('reports liveness and readiness (stores reachable, projection lag under the limit)', async () => {
    expect((await fetch(`${harness.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${harness.url}/health`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { status: string; checks: { readModels: boolean; projections: { name: string; ok: boolean }[] } };
    expect(report.status).toBe('ok');
    expect(report.checks.readModels).toBe(true);
    expect(report.checks.projections.map((p) => p.name).sort()).toEqual(['queue', 'sla-breaches', 'ticket-facts']);
  });

  it('counts commands by type and outcome, with latency, lag and breaches', async () => {
    const admin = await harness.token({ sub: 'root', role: 'admin' });
    await harness.gql(admin, 'mutation { registerOrganization(input: { id: "m1", name: "M", tier: "pro" }) { id } }');
    await harness.gql(admin, 'mutation { registerOrganization(input: { id: "m1", name: "M", tier: "pro" }) { id } }');
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    expect(text).toMatch(/tracedesk_commands_total\{type="registerOrganization",outcome="ok"\} 1/);
    expect(text).toMatch(/tracedesk_commands_total\{type="registerOrganization",outcome="(RULE_VIOLATION|CONFLICT)"\} 1/);
    expect(text).toMatch(/tracedesk_command_duration_seconds_count\{type="registerOrganization"\} 2/);
    expect(text).toMatch(/tracedesk_projection_lag_events\{projection="queue"\} \d+/);
    expect(text).toMatch(/tracedesk_sla_breaches 0/);
    // main.ts runs the projections on a background thread: its heap is reported beside the main one's.
    const background = Number(/^tracedesk_background_heap_used_bytes (\S+)/m.exec(text)?.[1]);
    expect(background).toBeGreaterThan(1_000_000);
  });
});
