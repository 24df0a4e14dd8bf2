import type { StreamClient } from '../StreamClient';
import type { LatencyMonitor } from './LatencyMonitor';

/**
 * Feeds a StreamClient's input, ping-channel and server-channel events into a
 * LatencyMonitor; a new session starts the monitor afresh (seqs restart at 0). Returns an
 * unwire function. The monitor's own outputs (pings, reports) go through the callbacks it was
 * constructed with.
 */
export function wireLatency(client: StreamClient, monitor: LatencyMonitor): () => void {
  const offs = [
    client.on('input-sent', (event) => monitor.inputSent(event)),
    client.on('ping-channel', (open) => monitor.pingChannel(open)),
    client.on('report', (message) => monitor.handleReport(message)),
    client.on('session', (session) => {
      if (session) monitor.reset();
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
