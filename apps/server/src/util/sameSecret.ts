import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` equals `secret`, in the same time whatever was sent: both are hashed first,
 * so timingSafeEqual compares equal-length digests and the lengths tell nothing either.
 */
export function sameSecret(given: string, secret: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(secret));
}
