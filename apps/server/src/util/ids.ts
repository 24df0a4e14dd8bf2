import { randomBytes } from 'node:crypto';

/** A short, URL-safe, unguessable id (72 bits), e.g. for sessions shared in links. */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}
