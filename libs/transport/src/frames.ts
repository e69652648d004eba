import type { Socket } from 'node:net';

/** Bytes of the length prefix of every frame: an unsigned 32-bit big-endian byte count. */
export const FRAME_HEADER_BYTES = 4;
/** The largest frame either side accepts by default: far above any lab message, far below harm. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** A peer sent a frame longer than the receiver accepts; the connection is not worth keeping. */
export class FrameTooLargeError extends Error {
  constructor(bytes: number, max: number) {
    super(`a frame of ${bytes} bytes exceeds the limit of ${max}`);
    this.name = 'FrameTooLargeError';
  }
}

/**
 * Splits a byte stream into frames (length prefix in bytes, then UTF-8 JSON) and hands each
 * parsed message on. Nest's own TCP framing counts characters, not bytes (nestjs/nest #13145);
 * counting bytes lets a reader slice the buffer without decoding it first.
 *
 * `push` throws FrameTooLargeError or a JSON SyntaxError on a broken stream; the caller closes
 * the connection, since nothing after a broken frame can be trusted.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.buffered > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (!this.frameComplete()) return;
      buffer = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
    }
    let offset = 0;
    while (buffer.length - offset >= FRAME_HEADER_BYTES) {
      const length = buffer.readUInt32BE(offset);
      if (length > this.maxFrameBytes) throw new FrameTooLargeError(length, this.maxFrameBytes);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (end > buffer.length) break;
      const text = buffer.toString('utf8', offset + FRAME_HEADER_BYTES, end);
      offset = end;
      this.onMessage(JSON.parse(text));
    }
    if (offset < buffer.length) {
      const rest = buffer.subarray(offset);
      if (rest.length >= FRAME_HEADER_BYTES && rest.readUInt32BE(0) > this.maxFrameBytes) {
        throw new FrameTooLargeError(rest.readUInt32BE(0), this.maxFrameBytes);
      }
      this.chunks = [rest];
      this.buffered = rest.length;
    }
  }

  /** True when the buffered bytes hold at least one whole frame (only then is concatenating worth it). */
  private frameComplete(): boolean {
    if (this.buffered < FRAME_HEADER_BYTES) return false;
    const head = this.chunks[0].length >= FRAME_HEADER_BYTES ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const length = head.readUInt32BE(0);
    if (length > this.maxFrameBytes) throw new FrameTooLargeError(length, this.maxFrameBytes);
    return this.buffered >= FRAME_HEADER_BYTES + length;
  }
}

/** Encodes messages into one buffer of consecutive frames. */
export function encodeFrames(messages: readonly string[]): Buffer {
  let total = 0;
  const lengths = new Array<number>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    lengths[i] = Buffer.byteLength(messages[i]);
    total += FRAME_HEADER_BYTES + lengths[i];
  }
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < messages.length; i++) {
    out.writeUInt32BE(lengths[i], offset);
    offset += FRAME_HEADER_BYTES;
    offset += out.write(messages[i], offset, 'utf8');
  }
  return out;
}

/**
 * Writes frames to a socket, coalescing every frame queued during one turn of the event loop
 * into a single write: under load the gateway issues many calls to one replica per turn, and on
 * this kind of machine a syscall per message costs more than the message itself. The flush runs
 * in `setImmediate`, after the I/O callbacks of the turn, so it adds no timer latency.
 */
export class FrameWriter {
  private queue: string[] = [];
  private onFlushed: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  /** Queues one message (already JSON); `onWritten` runs when it is handed to the socket. */
  write(json: string, onWritten?: () => void): void {
    this.queue.push(json);
    if (onWritten) this.onFlushed.push(onWritten);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes what is queued now (used before closing a connection). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const queue = this.queue;
    const callbacks = this.onFlushed;
    this.queue = [];
    this.onFlushed = [];
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(encodeFrames(queue));
    for (const callback of callbacks) callback();
  };
}
