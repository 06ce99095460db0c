import { randomInt } from 'node:crypto';

// Crockford base32: no I, L, O, U, so an id read aloud on the phone or typed from an e-mail
// subject is not mistaken.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short ticket id, e.g. `TD-7K2Q9X` (32^6 ≈ 10^9 values; a collision is detected and retried). */
export function newTicketId(): string {
  let id = '';
  for (let i = 0; i < 6; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return `TD-${id}`;
}
