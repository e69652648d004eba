/** One sample of Prometheus text exposition: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text (or OpenMetrics) into samples; comments, exemplars and timestamps are ignored. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[3]);
    if (Number.isFinite(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** `lab_routed_requests_total` as service → replica → calls. */
export function routedRequests(samples: readonly Sample[]): Record<string, Record<string, number>> {
  const routed: Record<string, Record<string, number>> = {};
  for (const sample of samples) {
    if (sample.name !== 'lab_routed_requests_total') continue;
    const { service, replica } = sample.labels;
    if (!service || !replica) continue;
    routed[service] ??= {};
    routed[service][replica] = (routed[service][replica] ?? 0) + sample.value;
  }
  return routed;
}

/** Responses the gateway gave to `/api/*` requests, by HTTP status (`http_server_request_duration_seconds_count`). */
export function apiResponsesByStatus(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name !== 'http_server_request_duration_seconds_count') continue;
    if (!sample.labels.http_route?.startsWith('/api/')) continue;
    const status = sample.labels.http_response_status_code ?? 'unknown';
    counts[status] = (counts[status] ?? 0) + sample.value;
  }
  return counts;
}

/** `lab_session_lookups_total` by reason (`none` for hits). */
export function sessionLookups(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name !== 'lab_session_lookups_total') continue;
    const key = sample.labels.result === 'hit' ? 'hit' : (sample.labels.reason ?? 'miss');
    counts[key] = (counts[key] ?? 0) + sample.value;
  }
  return counts;
}

/** `after - before` per key (counters only grow; a key missing before counts from 0). */
export function counterDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) delta[key] = value - (before[key] ?? 0);
  return delta;
}

/** Sum of the values whose key (an HTTP status) is not 2xx. */
export function non2xx(byStatus: Readonly<Record<string, number>>): number {
  return Object.entries(byStatus).reduce((sum, [status, count]) => (/^2\d\d$/.test(status) ? sum : sum + count), 0);
}
