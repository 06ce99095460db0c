import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { pino } from 'pino';
import { loadConfig } from '../runtime/app-config.js';
import { startRuntime, type Runtime } from '../runtime/runtime.js';
import { ManualClock } from '../shared/clock.js';
import { RegisterOrganizationCommand } from '../organizations/register-organization/register-organization.command.js';
import { AddContactCommand } from '../organizations/add-contact/add-contact.command.js';
import { OpenTicketCommand } from '../tickets/open-ticket/open-ticket.command.js';
import { ReplyToTicketCommand } from '../tickets/reply-to-ticket/reply-to-ticket.command.js';

const MINUTE = 60_000;
const policy = {
  version: 'watcher-test',
  calendars: { always: { timeZone: 'UTC', hours: '24x7' } },
  tiers: {
    enterprise: {
      channels: ['WEB', 'PHONE'],
      calendar: 'always',
      targets: { CRITICAL: { firstResponse: 'PT30M', resolution: 'PT4H' }, LOW: { firstResponse: 'PT8H' } },
      onBreach: { FIRST_RESPONSE: { escalateTo: 3 }, RESOLUTION: { escalateTo: 2 } },
    },
  },
};

describe('SLA deadline watcher and escalation saga (injected clock, real stores)', () => {
  let dir: string;
  let runtime: Runtime;
  let clock: ManualClock;
  let commands: CommandBus;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-watch-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
    clock = new ManualClock('2026-11-23T10:00:00.000Z');
    runtime = await startRuntime(loadConfig({ DATA_DIR: dir, SLA_POLICY_FILE: join(dir, 'policy.json') }), {
      clock,
      watcher: false,
      logger: pino({ level: 'silent' }),
    });
    commands = runtime.app.get(CommandBus);
    const admin = { actor: { id: 'admin', role: 'admin' as const } };
    await commands.execute(new RegisterOrganizationCommand({ id: 'acme', name: 'Acme', tier: 'enterprise' }, admin));
    await commands.execute(new AddContactCommand({ organizationId: 'acme', contactId: 'anna', name: 'Anna', email: 'a@acme.test', kind: 'STAFF' }, admin));
  });
  afterEach(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (priority: 'CRITICAL' | 'LOW') =>
    commands.execute(
      new OpenTicketCommand(
        { channel: 'WEB', type: 'PROBLEM', title: 'Down', description: 'Nobody can log in', requestedPriority: priority },
        { actor: { id: 'anna', role: 'customer', organizationId: 'acme' } },
      ),
    );
  const settle = async (): Promise<void> => {
    expect(await runtime.runner.waitFor(await runtime.store.headPosition(), 10_000)).toBe(true);
  };
  const history = async (ticketId: string) => runtime.store.readStream(`ticket-${ticketId}`);

  it('moving the clock past due times records warnings, breaches and the policy’s escalation', async () => {
    const critical = await open('CRITICAL');
    const low = await open('LOW');
    await settle();

    clock.advance(23 * MINUTE);
    expect(await runtime.watcher.tick()).toMatchObject({ breaches: 0, warnings: 0 });

    clock.advance(2 * MINUTE); // 25 min: past 80% of the 30-minute first-response target
    expect(await runtime.watcher.tick()).toMatchObject({ warnings: 1, breaches: 0 });
    await settle();
    expect((await history(critical.ticket.id)).map((e) => e.type)).toContain('SlaClockAtRisk');

    clock.advance(6 * MINUTE); // 31 min: breached
    expect(await runtime.watcher.tick()).toMatchObject({ breaches: 1 });
    await settle();
    // The saga escalates as the policy says, naming the rule.
    const deadline = Date.now() + 5000;
    let events = await history(critical.ticket.id);
    while (!events.some((e) => e.type === 'TicketEscalated') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events = await history(critical.ticket.id);
    }
    const breach = events.find((e) => e.type === 'SlaClockBreached')!;
    expect(breach.data).toMatchObject({ metric: 'FIRST_RESPONSE', dueAt: '2026-11-23T10:30:00.000Z', lateByBusinessMs: MINUTE });
    expect(breach.metadata).toMatchObject({ actorId: 'sla-watcher', actorRole: 'system' });
    const escalation = events.find((e) => e.type === 'TicketEscalated')!;
    expect(escalation.data).toMatchObject({ to: 3, kind: 'HIERARCHICAL', rule: 'onBreach.FIRST_RESPONSE' });
    expect(escalation.metadata).toMatchObject({ actorId: 'onBreach.FIRST_RESPONSE', actorRole: 'system', causationId: breach.id });

    // A repeated tick records nothing twice.
    await settle();
    const count = (await history(critical.ticket.id)).length;
    await runtime.watcher.tick();
    await settle();
    expect((await history(critical.ticket.id)).length).toBe(count);

    // The low-priority ticket is still within its 8 hours.
    expect((await history(low.ticket.id)).some((e) => e.type === 'SlaClockBreached')).toBe(false);
    const breached = await runtime.readModels.queue.find({ breached: true }, {});
    expect(breached.rows.map((r) => r.ticketId)).toEqual([critical.ticket.id]);
    const rows = await runtime.readModels.breaches.find({}, {});
    expect(rows.rows).toEqual([expect.objectContaining({ ticketId: critical.ticket.id, metric: 'FIRST_RESPONSE', lateByMs: MINUTE, metAt: null })]);
  });

  it('a clock met before its due time is never breached', async () => {
    const critical = await open('CRITICAL');
    clock.advance(10 * MINUTE);
    await commands.execute(new ReplyToTicketCommand({ ticketId: critical.ticket.id, body: 'On it' }, { actor: { id: 'alice', role: 'agent' } }));
    await settle();
    clock.advance(60 * MINUTE);
    const result = await runtime.watcher.tick();
    expect(result.breaches).toBe(0);
    await settle();
    expect((await history(critical.ticket.id)).filter((e) => e.type === 'SlaClockBreached').map((e) => e.data['metric'])).toEqual([]);
  });
});
