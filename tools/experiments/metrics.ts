import type { Sample } from '../kit/metrics';

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
