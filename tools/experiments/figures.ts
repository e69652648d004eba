import { round } from '../kit/format';
import type { TimelinePoint } from '../load/run-load';

const SUCCESS = /^2\d\d$/;

/** Requests without any response (socket errors, timeouts) in the timeline seconds overlapping [from, to] seconds. */
export function socketErrorsBetween(timeline: readonly TimelinePoint[], from: number, to: number): number {
  return timeline.filter((p) => p.t + 1 > from && p.t <= to).reduce((sum, p) => sum + p.errors, 0);
}

/** The busiest replica's count over the mean of all replicas (1 = perfectly even); 0 with no requests. */
export function maxOverMean(counts: Readonly<Record<string, number>>): number {
  const values = Object.values(counts);
  if (values.length === 0) return 0;
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return mean > 0 ? round(Math.max(...values) / mean, 3) : 0;
}

/** Non-2xx entries of a status → count record. */
export function failedStatuses(statusCounts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(statusCounts).filter(([status, count]) => !SUCCESS.test(status) && count > 0));
}

/** Sum of the counts whose key (an HTTP status) is not 2xx. */
export function non2xx(byStatus: Readonly<Record<string, number>>): number {
  return Object.entries(byStatus).reduce((sum, [status, count]) => (SUCCESS.test(status) ? sum : sum + count), 0);
}
