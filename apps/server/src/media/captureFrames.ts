/**
 * Cuts a decoder's stdout into whole JPEG pictures. GStreamer's jpegenc writes baseline JFIF
 * (SOI … EOI, no embedded thumbnails), and inside the entropy-coded data every 0xFF byte is
 * followed by 0x00 or a restart marker, so the first EOI (FF D9) after an SOI ends the picture.
 */
export class JpegSplitter {
  #buf: Buffer = Buffer.alloc(0);

  /** Bytes that arrived; returns every picture they completed. Bytes before an SOI are dropped. */
  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      const soi = this.#buf.indexOf(SOI);
      if (soi < 0) {
        this.#buf = this.#buf.subarray(Math.max(0, this.#buf.length - 1));
        return out;
      }
      const eoi = this.#buf.indexOf(EOI, soi + 2);
      if (eoi < 0) {
        this.#buf = this.#buf.subarray(soi);
        if (this.#buf.length > MAX_PICTURE_BYTES) this.#buf = Buffer.alloc(0);
        return out;
      }
      out.push(Buffer.from(this.#buf.subarray(soi, eoi + 2)));
      this.#buf = this.#buf.subarray(eoi + 2);
    }
  }
}

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
/** A picture longer than this is not one of ours (≤ 640×480 at quality 75: far smaller). */
const MAX_PICTURE_BYTES = 4 * 1024 * 1024;

/** Cuts a raw sound stream into chunks of exactly `bytes` (the rest waits for more). */
export class ChunkSplitter {
  #buf: Buffer = Buffer.alloc(0);

  constructor(readonly bytes: number) {
    if (!Number.isInteger(bytes) || bytes <= 0) throw new TypeError('bytes must be a positive integer');
  }

  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    while (this.#buf.length - at >= this.bytes) {
      out.push(Buffer.from(this.#buf.subarray(at, at + this.bytes)));
      at += this.bytes;
    }
    this.#buf = this.#buf.subarray(at);
    return out;
  }
}
