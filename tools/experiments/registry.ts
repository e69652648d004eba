import { crash } from './crash';
import { deploy } from './deploy';
import type { Experiment, ExperimentName } from './experiment';
import { modes } from './modes';
import { latency } from './latency';
import { redisFailover } from './redis-failover';
import { realtime } from './realtime';
import { redisOutage } from './redis-outage';
import { rescale } from './rescale';
import { skew } from './skew';

/** Every experiment `npm run experiment -- <name>` knows. */
export const EXPERIMENTS = {
  modes,
  crash,
  rescale,
  skew,
  'redis-outage': redisOutage,
  'redis-failover': redisFailover,
  latency,
  deploy,
  realtime,
} satisfies { readonly [N in ExperimentName]: Experiment };

/** The run record of experiment `N`, e.g. `RunOf<'crash'>` is CrashRun. */
export type RunOf<N extends ExperimentName> = (typeof EXPERIMENTS)[N] extends Experiment<infer R> ? R : never;
