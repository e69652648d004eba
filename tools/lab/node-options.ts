/**
 * How each kind of lab process runs Node, set the same way everywhere it runs: the native
 * launcher (tools/lab/lab.ts), the image (Dockerfile: the replicas' value is its default) and the
 * gateway's container (docker-compose.yml, deploy/k8s). Chosen from `npm run bench -- --only
 * resources` (README, "What it needs"):
 *
 * - `--max-semi-space-size`: V8 grows each young-generation semi-space up to 16 MB on a 64-bit
 *   machine. Capping it at 1–2 MB saved ~50 MB of RSS under load but made every process scavenge
 *   several times as often: the redis mode then spent ~35 % more CPU per request (README, "Where
 *   a request's CPU goes"). The gateway, which allocates most per request, keeps V8's 16 MB; the
 *   replicas get 4 MB.
 * - `--max-old-space-size`: a ceiling under the container limit, so V8 collects harder before
 *   the kernel kills: 128 MB per replica (sessions and carts of the stateful mode included), 192 MB
 *   for the gateway (its registry of issued session ids holds up to 200k).
 */
export const NODE_OPTIONS = {
  gateway: '--max-semi-space-size=16 --max-old-space-size=192',
  replica: '--max-semi-space-size=4 --max-old-space-size=128',
} as const;

/**
 * Flags every lab process starts with that NODE_OPTIONS cannot carry (they go on the command
 * line: the native launcher's nodeEntry(), the image's CMD).
 *
 * - `--single-threaded-gc`: V8 otherwise runs marking, sweeping and parallel scavenges on helper
 *   threads. Ten Node processes share two cores here, so those threads only compete with the
 *   processes' own main threads and add their synchronization on top. Measured in one run
 *   (logged-in cart views, labs in frozen rotation, medians of 4 rounds; README, "Where a
 *   request's CPU goes"), the flag saved 5 % of the lab's CPU per request untraced and 22 % with
 *   100 % tracing at 1,000 req/s, and gained 1–8 % of throughput at saturation.
 */
export const NODE_FLAGS = ['--single-threaded-gc'] as const;

/**
 * glibc's malloc raises its mmap threshold after a large block is freed, so later 16 MB scrypt
 * buffers (one per login, on libuv's 4 threads) stay in per-thread arenas: +67 MB per user
 * replica after a few logins. A fixed threshold (set by this variable) returns them to the
 * system at once.
 */
export const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '1048576' } as const;
