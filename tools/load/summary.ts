import { percent } from '../kit/format';
import { formatTable } from '../report/table';
import { formatMix } from './options';
import type { LoadResult } from './run-load';

const fixed = (value: number, digits: number) => value.toFixed(digits);

/** `cart-12` → service `cart`, index 12; ids without a numeric suffix sort by name. */
export function splitReplicaId(id: string): { service: string; index: number } {
  const match = /^(.*)-(\d+)$/.exec(id);
  return match ? { service: match[1], index: Number(match[2]) } : { service: id, index: 0 };
}

/** Rows `[service, replica, requests, share of that service]`, grouped by service. */
export function replicaRows(servedBy: Record<string, number>): [string, string, number, string][] {
  const ids = Object.keys(servedBy).sort((a, b) => {
    const left = splitReplicaId(a);
    const right = splitReplicaId(b);
    return left.service.localeCompare(right.service) || left.index - right.index || a.localeCompare(b);
  });
  const perService = new Map<string, number>();
  for (const id of ids) {
    const { service } = splitReplicaId(id);
    perService.set(service, (perService.get(service) ?? 0) + servedBy[id]);
  }
  return ids.map((id) => {
    const { service } = splitReplicaId(id);
    return [service, id, servedBy[id], percent(servedBy[id], perService.get(service) ?? 0)];
  });
}

/** The summary `npm run load` prints: overview, responses by status, requests per replica. */
export function formatLoadSummary(result: LoadResult): string {
  const lostSessions = result.sessions.sessionLost;
  const overview = formatTable(
    ['metric', 'value'],
    [
      ['requests/s', fixed(result.throughputRps, 1)],
      ['responses', result.requests],
      ['latency p50', `${fixed(result.latencyMs.p50, 2)} ms`],
      ['latency p95', `${fixed(result.latencyMs.p95, 2)} ms`],
      ['latency p99', `${fixed(result.latencyMs.p99, 2)} ms`],
      ['latency max', `${fixed(result.latencyMs.max, 2)} ms`],
      ['errors (of which timeouts)', `${result.errors} (${result.timeouts})`],
      ['non-2xx', `${result.non2xx} (${percent(result.non2xx, result.requests)})`],
      ['bytes per request', `${fixed(result.requestBytes, 0)} B`],
      ['bytes per response', `${fixed(result.responseBytes, 0)} B`],
      ['logins (failed)', `${result.sessions.logins} (${result.sessions.loginFailures})`],
      ['401s (session lost)', `${result.sessions.unauthorized} (${lostSessions})`],
    ],
    { align: ['left', 'right'] },
  );

  const statuses = Object.entries(result.statusCounts).sort(([a], [b]) => Number(a) - Number(b));
  const statusTable = statuses.length
    ? formatTable(
        ['status', 'responses', 'share'],
        statuses.map(([status, count]) => [status, count, percent(count, result.requests)]),
      )
    : 'no responses\n';

  const replicas = replicaRows(result.servedBy);
  const replicaTable = replicas.length
    ? formatTable(['service', 'replica', 'requests', 'share of service'], replicas)
    : 'no x-served-by headers seen\n';

  return [
    `${result.connections} shoppers for ${fixed(result.durationSeconds, 1)} s against ${result.url} (mix ${formatMix(result.mix)})`,
    '',
    overview,
    'responses by status',
    statusTable,
    'requests per replica',
    replicaTable,
  ].join('\n');
}
