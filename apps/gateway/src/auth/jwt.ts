import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Actor, Role } from '@tracedesk/domain';

/** The roles a token may carry (`system` is the watcher and sagas, never a person). */
export const TOKEN_ROLES = ['customer', 'agent', 'supervisor', 'auditor', 'analyst', 'admin'] as const satisfies readonly Role[];
export type TokenRole = (typeof TOKEN_ROLES)[number];

export const JWT_SECRET_FILE = 'jwt-secret';
const ALGORITHM = 'HS256';

/**
 * The HS256 key: `JWT_SECRET`, else `DATA_DIR/jwt-secret`, created once (mode 0600) on first
 * start so tokens minted by `npm run token` stay valid across restarts.
 */
export function loadJwtSecret(config: { jwtSecret?: string; dataDir: string }): Uint8Array {
  if (config.jwtSecret) return new TextEncoder().encode(config.jwtSecret);
  mkdirSync(config.dataDir, { recursive: true });
  const path = join(config.dataDir, JWT_SECRET_FILE);
  try {
    // 'wx' fails when the file exists: two processes starting at once keep the first secret.
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 16) throw new Error(`${path} holds a secret shorter than 16 characters; delete it to generate a new one`);
  return new TextEncoder().encode(secret);
}

export interface TokenClaims {
  sub: string;
  role: TokenRole;
  org?: string;
  name?: string;
}

export async function signToken(secret: Uint8Array, claims: TokenClaims, ttl: string | number = '8h'): Promise<string> {
  const payload: Record<string, string> = { role: claims.role };
  if (claims.org) payload['org'] = claims.org;
  if (claims.name) payload['name'] = claims.name;
  return new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM }).setSubject(claims.sub).setIssuedAt().setExpirationTime(ttl).sign(secret);
}

/** Why a request is not authenticated; the message is safe to show the client. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** How many verified tokens are remembered per secret (least recently verified dropped first). */
export const VERIFIED_TOKENS_KEPT = 10_000;

interface Verified {
  actor: Actor;
  /** When the token's `exp` passes (ms since epoch); Infinity without `exp`. */
  expiresAt: number;
}

/**
 * Tokens already verified, until their `exp`. HS256 through WebCrypto is one of the costliest
 * steps of a small request, and a client sends the same token with every request. Keyed by the
 * whole token, signature included, so only the exact bytes that were verified are accepted.
 */
const verifiedBySecret = new WeakMap<Uint8Array, Map<string, Verified>>();

/** The actor a bearer token names; throws AuthenticationError for anything not acceptable. */
export async function verifyToken(secret: Uint8Array, token: string): Promise<Actor> {
  let verified = verifiedBySecret.get(secret);
  if (!verified) verifiedBySecret.set(secret, (verified = new Map()));
  const known = verified.get(token);
  if (known) {
    verified.delete(token);
    // Expired: verify again, so the caller gets the usual "expired" answer.
    if (Date.now() < known.expiresAt) {
      verified.set(token, known);
      return known.actor;
    }
  }
  const { actor, exp } = await verifyUncached(secret, token);
  verified.set(token, { actor, expiresAt: typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY });
  if (verified.size > VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
  return actor;
}

async function verifyUncached(secret: Uint8Array, token: string): Promise<{ actor: Actor; exp: unknown }> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM] }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('The token has expired; get a new one.');
    throw new AuthenticationError('The token is not valid for this server.');
  }
  const { sub, role, org, name } = payload;
  if (typeof sub !== 'string' || sub.length === 0) throw new AuthenticationError('The token has no subject (sub).');
  if (typeof role !== 'string' || !(TOKEN_ROLES as readonly string[]).includes(role)) {
    throw new AuthenticationError(`The token's role must be one of ${TOKEN_ROLES.join(', ')}.`);
  }
  if (org !== undefined && typeof org !== 'string') throw new AuthenticationError('The token\'s org must be a string.');
  if (role === 'customer' && !org) throw new AuthenticationError('A customer token must name its organization (org).');
  const actor: Actor = {
    id: sub,
    role: role as TokenRole,
    ...(typeof org === 'string' && { organizationId: org }),
    ...(typeof name === 'string' && { name }),
  };
  return { actor: Object.freeze(actor), exp: payload['exp'] };
}

/** The token of an `Authorization: Bearer …` header, or null when there is none. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : '';
}
