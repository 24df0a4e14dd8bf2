import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MEDIA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'sender');

describe('gst_sender (Python)', () => {
  it('passes its unit tests: the playout-delay extension, the marker strip', async () => {
    // Debian's python3: it has the GStreamer bindings the sender's modules import.
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      execFile(
        '/usr/bin/python3',
        ['-m', 'unittest', 'discover', '-s', MEDIA, '-p', 'test_*.py', '-v'],
        { cwd: MEDIA },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, text: stdout + stderr }),
      );
    });
    expect(out.text).toMatch(/Ran \d+ tests/);
    expect(out.code, out.text).toBe(0);
  });
});
