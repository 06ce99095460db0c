import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AuthenticationError, signToken, verifyToken } from './jwt.js';

const key = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('verifyToken and its cache of verified tokens', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('accepts a verified token again, and the same actor', async () => {
    const secret = key('a-secret-of-sufficient-length-1');
    const token = await signToken(secret, { sub: 'alice', role: 'agent' });
    const first = await verifyToken(secret, token);
    expect(first).toEqual({ id: 'alice', role: 'agent' });
    expect(await verifyToken(secret, token)).toBe(first);
  });

  it('refuses a cached token once it has expired, as expired', async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
      now: new Date('2026-11-23T10:00:00Z'),
    });
    const secret = key('a-secret-of-sufficient-length-2');
    const token = await signToken(secret, { sub: 'bob', role: 'customer', org: 'org-1' }, '10m');
    await expect(verifyToken(secret, token)).resolves.toMatchObject({ id: 'bob', organizationId: 'org-1' });
    jest.setSystemTime(new Date('2026-11-23T10:10:01Z'));
    await expect(verifyToken(secret, token)).rejects.toThrow(new AuthenticationError('The token has expired; get a new one.'));
  });

  it('does not accept another signature, or the same token under another secret, because one was cached', async () => {
    const secret = key('a-secret-of-sufficient-length-3');
    const token = await signToken(secret, { sub: 'carol', role: 'admin' });
    await verifyToken(secret, token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifyToken(secret, forged)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(verifyToken(key('another-secret-of-sufficient-length'), token)).rejects.toBeInstanceOf(AuthenticationError);
  });
});
