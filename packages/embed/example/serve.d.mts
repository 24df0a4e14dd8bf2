import type http from 'node:http';

/** Starts the example's host server on host:port (default 127.0.0.1:8090); resolves once listening. */
export function startExampleHost(port?: number, host?: string): Promise<http.Server>;
