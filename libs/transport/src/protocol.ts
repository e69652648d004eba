import type { LabErrorBody } from '@app/contracts';
import type { TraceCarrier } from '@app/telemetry';

/** Server → client, first frame of every connection. */
export interface HelloFrame {
  challenge: string;
}

/** Client → server, first frame: the proof that it holds the lab secret. */
export interface AuthFrame {
  proof: string;
}

/** Server → client once the proof checked out; requests may follow. */
export interface WelcomeFrame {
  welcome: true;
}

/** Client → server: a call (with `id`, answered) or an event (no `id`, not answered). */
export interface RequestFrame {
  id?: number;
  pattern: string;
  data: unknown;
  /** The caller's trace context: the hop's only "header". */
  trace?: TraceCarrier;
}

/** Server → client: the answer to the request with the same id. */
export type ResponseFrame = { id: number; response: unknown } | { id: number; err: LabErrorBody };

/** Server → client, then the server closes: why the connection is refused. */
export interface FatalFrame {
  fatal: LabErrorBody;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
