// No zod here: the player reads its ?parent= with this before it loads the embedding bridge.

/**
 * The origin a `?parent=` value names, normalised as browsers write `MessageEvent.origin`
 * (lower case, no default port), or null when it is not one: scheme://host[:port] and
 * nothing else, http or https only (`null` origins are refused).
 */
export function parseEmbedOrigin(value: string | null | undefined): string | null {
  const m = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/i.exec(value ?? '');
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  const isDefault = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return `${scheme}://${host}${port === undefined || isDefault ? '' : `:${port}`}`;
}
