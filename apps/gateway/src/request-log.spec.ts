import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signToken } from './auth/jwt.js';

/**
 * The real server with LOG_LEVEL=info: one JSON line per GraphQL request, with the correlation id
 * (also in the events' metadata and the response header), and never a token or a body.
 */
describe('structured request logs', () => {
  let child: ChildProcess;
  let url = '';
  let dataDir = '';
  let stdout = '';
  const secret = randomBytes(32).toString('base64url');
  const key = new TextEncoder().encode(secret);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tracedesk-logs-'));
    child = fork(join(process.cwd(), 'apps/gateway/src/main.ts'), [], {
      execArgv: ['--import', '@swc-node/register/esm-register', '--no-warnings'],
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', JWT_SECRET: secret, LOG_LEVEL: 'info', EVENT_STORE_URL: '', READ_MODEL_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    url = await new Promise<string>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (token: string | null, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
      body,
    });

  const requestLines = async (count: number): Promise<Array<Record<string, unknown>>> => {
    for (let i = 0; i < 50; i++) {
      const lines = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['msg'] === 'graphql request');
      if (lines.length >= count) return lines;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`expected ${count} request log lines in:\n${stdout}`);
  };

  it('logs each request once with operation, user, correlation id, outcome and duration', async () => {
    const admin = await signToken(key, { sub: 'root', role: 'admin' });
    const mutation = JSON.stringify({
      query: 'mutation Register($name: String!) { registerOrganization(input: { id: "acme", name: $name, tier: "enterprise" }) { id } }',
      variables: { name: 'Secret Name Inc' },
      operationName: 'Register',
    });
    const ok = await post(admin, mutation, { 'x-correlation-id': 'req-42' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-correlation-id')).toBe('req-42');
    const refused = await post(null, JSON.stringify({ query: '{ queue { totalCount } }' }));
    const generated = refused.headers.get('x-correlation-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await post(admin, JSON.stringify({ query: '{ queue { ' }));
    expect(bad.status).toBe(400);

    const [first, second, third] = await requestLines(3);
    expect(first).toMatchObject({
      level: 30,
      correlationId: 'req-42',
      method: 'POST',
      operation: 'mutation',
      operationName: 'Register',
      fields: ['registerOrganization'],
      user: { sub: 'root', role: 'admin' },
      status: 200,
      outcome: 'ok',
      durationMs: expect.any(Number),
    });
    expect(second).toMatchObject({ correlationId: generated, operation: 'query', fields: ['queue'], user: null, outcome: 'UNAUTHENTICATED' });
    expect(third).toMatchObject({ status: 400, outcome: 'BAD_USER_INPUT', user: null });
    // Neither the token nor the request's variables or text reach the logs.
    expect(stdout).not.toContain(admin);
    expect(stdout).not.toContain(admin.split('.')[2]!);
    expect(stdout).not.toContain('Secret Name Inc');
    expect(stdout).not.toContain('registerOrganization(input');
  });

  it('passes the correlation id to the commands: it is in the events metadata', async () => {
    const admin = await signToken(key, { sub: 'root', role: 'admin' });
    const contact = await post(admin, JSON.stringify({ query: 'mutation { addContact(input: { organizationId: "acme", contactId: "anna", name: "Anna", email: "anna@acme.example", kind: STAFF }) { id } }' }));
    expect(contact.status).toBe(200);
    const customer = await signToken(key, { sub: 'anna', role: 'customer', org: 'acme' });
    const opened = await post(
      customer,
      JSON.stringify({ query: 'mutation { openTicket(input: { channel: WEB, type: PROBLEM, title: "Black screen", description: "Nothing plays" }) { ticket { id } } }' }),
      { 'x-correlation-id': 'open-7' },
    );
    const ticketId = ((await opened.json()) as { data: { openTicket: { ticket: { id: string } } } }).data.openTicket.ticket.id;
    const db = new Database(join(dataDir, 'events.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT metadata FROM events WHERE stream_id = ?').all(`ticket-${ticketId}`) as Array<{ metadata: string }>;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(JSON.parse(row.metadata)).toMatchObject({ correlationId: 'open-7' });
    } finally {
      db.close();
    }
    const lines = await requestLines(5);
    expect(lines.find((l) => l['correlationId'] === 'open-7')).toMatchObject({ fields: ['openTicket'], user: { sub: 'anna', role: 'customer', org: 'acme' }, outcome: 'ok' });
  });

  it('logs a response-cache hit like any request, marked cached, with its user and fields', async () => {
    const agent = await signToken(key, { sub: 'bea', role: 'agent' });
    const body = JSON.stringify({ query: 'query Poll { __typename queue(first: 3) { totalCount } }' });
    const first = await post(agent, body, { 'x-correlation-id': 'poll-1' });
    expect(first.headers.get('x-response-cache')).toBe('miss');
    // A projection batch still landing from the test before would (rightly) make this a miss too.
    let attempt = 0;
    let second: Response;
    do second = await post(agent, body, { 'x-correlation-id': `poll-2-${++attempt}` });
    while (second.headers.get('x-response-cache') !== 'hit' && attempt < 5);
    expect(second.headers.get('x-response-cache')).toBe('hit');
    expect(second.headers.get('x-correlation-id')).toBe(`poll-2-${attempt}`);
    const lines = await requestLines(6 + attempt);
    const miss = lines.find((l) => l['correlationId'] === 'poll-1')!;
    expect(miss).not.toHaveProperty('cached');
    expect(miss).toMatchObject({ operationName: 'Poll', fields: ['__typename', 'queue'] });
    // A hit reads in the log as the same request executed would, plus "cached".
    expect(lines.find((l) => l['correlationId'] === `poll-2-${attempt}`)).toMatchObject({
      method: 'POST',
      operation: 'query',
      operationName: 'Poll',
      fields: ['__typename', 'queue'],
      cached: true,
      user: { sub: 'bea', role: 'agent' },
      status: 200,
      outcome: 'ok',
    });
  });
});
