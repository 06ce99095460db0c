import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSlaPolicy } from './parse-policy.js';
import { SlaPolicyError } from './policy.errors.js';
import type { SlaPolicy } from './policy.types.js';

/**
 * Reads and validates an SLA policy file. Every failure (unreadable file, JSON syntax, invalid
 * content) is an `SlaPolicyError` whose message starts with the file path, so a refused start
 * says which file and which place in it.
 */
export function loadSlaPolicyFile(path: string): SlaPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SlaPolicyError(`cannot be read (${error instanceof Error ? error.message : String(error)})`, '', path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SlaPolicyError(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`, '', path);
  }
  try {
    return parseSlaPolicy(json);
  } catch (error) {
    throw error instanceof SlaPolicyError ? error.inFile(path) : error;
  }
}

/**
 * Path of the bundled default policy, modelled on the support documents (docs/sla.md). A build
 * that compiles to another directory must copy `default-policy.json` beside this module.
 */
export const DEFAULT_SLA_POLICY_FILE: string = fileURLToPath(new URL('./default-policy.json', import.meta.url));

let defaultPolicy: SlaPolicy | undefined;

/** The bundled default policy, parsed once. */
export function defaultSlaPolicy(): SlaPolicy {
  defaultPolicy ??= loadSlaPolicyFile(DEFAULT_SLA_POLICY_FILE);
  return defaultPolicy;
}
