import { parseEmbedOrigin } from '@offload/protocol/embed-origin';

/**
 * The host origin the player may talk to: `?parent=` when it names an origin and, where the
 * browser tells (`location.ancestorOrigins`, Chromium and Safari), it is the origin that
 * frames this page; null otherwise (the bridge stays off).
 */
export function embedParentOrigin(
  parent: string | null,
  ancestorOrigins: ArrayLike<string> | undefined,
  parse: (v: string | null) => string | null = parseEmbedOrigin,
): string | null {
  const origin = parse(parent);
  if (!origin) return null;
  if (ancestorOrigins && ancestorOrigins.length > 0 && ancestorOrigins[0] !== origin) return null;
  return origin;
}
