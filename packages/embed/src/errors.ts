/**
 * Why a command failed or the player reports an error. `code` is machine-readable: the
 * player's and the server's codes (e.g. `unauthorized`, `session-not-found`,
 * `not-controller`) and the embedding's own (`bad-command`, `not-connected`, `unsupported`,
 * `player-unreachable`, `player-destroyed`, `incompatible-protocol`).
 */
export class OffloadEmbedError extends Error {
  override readonly name = 'OffloadEmbedError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
