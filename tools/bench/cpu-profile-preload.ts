/**
 * Loaded with `node -r` into lab processes by `npm run bench -- --only profile`: the V8 CPU
 * profiler of this process, started on SIGURG and written (as a .cpuprofile Chrome DevTools
 * opens) on SIGWINCH, so the bench profiles only its measured window, never boot. Only the
 * processes named by LAB_CPU_PROFILE_IDS profile; the others load nothing. Neither signal is one
 * Nest's shutdown hooks listen to.
 */
import '../register-paths'; // first: NODE_OPTIONS preloads run before the command line's own -r
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';
import { configFromProcessEnv, EnvReader } from '@app/config';

const settings = configFromProcessEnv((env) => {
  const read = new EnvReader(env);
  return {
    dir: read.raw('LAB_CPU_PROFILE_DIR'),
    ids: (read.raw('LAB_CPU_PROFILE_IDS') ?? '').split(','),
    self: read.raw('REPLICA_ID') ?? 'gateway',
    intervalUs: read.int('LAB_CPU_PROFILE_INTERVAL_US', 50, 100_000, 500),
  };
});

if (settings.dir && settings.ids.includes(settings.self)) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: settings.intervalUs }));
  process.on('SIGURG', () => session.post('Profiler.start'));
  process.on('SIGWINCH', () =>
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(path.join(settings.dir as string, `${settings.self}.cpuprofile`), JSON.stringify(result.profile));
    }),
  );
}
