/**
 * The latency proxy as a child process (LatencyProxyProcess forks it): argv `<targetHost>
 * <targetPort> <rttMs>`; it reports `{type: 'listening', port}` and takes `{type: 'set-rtt'}`.
 * It exits with its parent.
 */
import { LatencyProxy, ProxyMessage } from './latency-proxy';

async function main(): Promise<void> {
  const [host, port, rtt] = process.argv.slice(2);
  const proxy = new LatencyProxy({ host, port: Number(port) }, Number(rtt));
  const listening = await proxy.listen(0);
  process.on('message', (message: ProxyMessage) => {
    if (message.type !== 'set-rtt') return;
    proxy.rttMs = message.rttMs;
    process.send?.({ type: 'rtt-set', rttMs: message.rttMs } satisfies ProxyMessage);
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'listening', port: listening } satisfies ProxyMessage);
}

main().catch((error: unknown) => {
  process.stderr.write(`latency proxy: ${(error as Error).message}\n`);
  process.exit(1);
});
