import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The seal key is missing, unreadable or not Ed25519. */
export class SealKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SealKeyError';
  }
}

export const SEAL_KEY_FILE = 'seal-key.pem';

export interface SealKeySettings {
  dataDir: string;
  /** PEM (PKCS#8) from `SEAL_PRIVATE_KEY`; wins over the file. */
  sealPrivateKey?: string;
  /** PEM (SPKI) from `SEAL_PUBLIC_KEY`: what verifiers trust when they hold no private key. */
  sealPublicKey?: string;
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new SealKeyError(`${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key; seals need Ed25519`);
  return key;
}

/** An Ed25519 key from PEM text; `source` (a setting or a file) names it in the error. */
function pemKey(create: (pem: string) => KeyObject, pem: string, source: string, kind: 'private' | 'public'): KeyObject {
  try {
    return ed25519(create(pem), source);
  } catch (error) {
    if (error instanceof SealKeyError) throw error;
    throw new SealKeyError(`${source} is not a PEM ${kind} key`, { cause: error });
  }
}

/**
 * The sealing key: `SEAL_PRIVATE_KEY`, else `DATA_DIR/seal-key.pem`, generated there on first
 * use (mode 0600). `wx` makes two processes starting together agree on one key.
 */
export function loadSealPrivateKey(settings: SealKeySettings, options: { create: boolean } = { create: true }): KeyObject | null {
  if (settings.sealPrivateKey) return pemKey(createPrivateKey, settings.sealPrivateKey, 'SEAL_PRIVATE_KEY', 'private');
  const file = join(settings.dataDir, SEAL_KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SealKeyError(`cannot read ${file}`, { cause: error });
    if (!options.create) return null;
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(settings.dataDir, { recursive: true });
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw new SealKeyError(`cannot write ${file}`, { cause: writeError });
    }
    pem = readFileSync(file, 'utf8');
  }
  return pemKey(createPrivateKey, pem, file, 'private');
}

/**
 * The key seals are checked with: `SEAL_PUBLIC_KEY` if set (an auditor's copy), else the public
 * half of the sealing key when one exists. Verifying never creates a key.
 */
export function loadSealPublicKey(settings: SealKeySettings): KeyObject | null {
  if (settings.sealPublicKey) return pemKey(createPublicKey, settings.sealPublicKey, 'SEAL_PUBLIC_KEY', 'public');
  const privateKey = loadSealPrivateKey(settings, { create: false });
  return privateKey ? createPublicKey(privateKey) : null;
}

export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Names a key in seals: hex SHA-256 of its SPKI DER encoding. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}
