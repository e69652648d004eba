import { ConfigError, Env, EnvReader, parseReplicaId } from '@app/config';
import type { TracingIdentity } from './tracing-runtime';

/**
 * The one environment read of the tracing preload, through @app/config. Reads REPLICA_ID
 * (`gateway` or a replica id such as `cart-2`) and derives the trace identity from it. The
 * preload runs before the app knows which service it is, so `loadReplicaIdentity(env,
 * service)` does not fit; when REPLICA_ID is unset the service comes from the entry script's
 * path (`dist/apps/<service>/src/main.js`), with replica `<service>-1` as the replicas default.
 */
export function loadTracingIdentity(env: Env, entryScript: string | undefined = process.argv[1]): TracingIdentity {
  const id = new EnvReader(env).raw('REPLICA_ID');
  if (id === 'gateway') return { service: 'gateway', replica: 'gateway' };
  if (id !== undefined) {
    const parsed = parseReplicaId(id);
    if (!parsed) throw new ConfigError('REPLICA_ID', id, 'gateway or <user|cart|product>-<1…16>');
    return { service: parsed.service, replica: id };
  }
  const app = /[\\/]apps[\\/](gateway|user|cart|product)[\\/]/.exec(entryScript ?? '')?.[1];
  if (app === undefined) throw new ConfigError('REPLICA_ID', '', 'gateway or <user|cart|product>-<1…16> (needed for tracing)');
  return app === 'gateway' ? { service: 'gateway', replica: 'gateway' } : { service: app, replica: `${app}-1` };
}
