import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');

/** Starts tracing as the preload does, in a fresh node, and reports which OpenTelemetry packages it loaded. */
async function packagesLoadedBy(env: Record<string, string>): Promise<{ packages: string[] }> {
  const script = `
    require('./dist/libs/telemetry/src/tracing/start-tracing.js').startTracing({ service: 'cart', replica: 'cart-1' });
    const packages = new Set();
    for (const file of Object.keys(require.cache)) {
      const match = /node_modules\\/(@opentelemetry\\/[^/]+)/.exec(file);
      if (match) packages.add(match[1]);
    }
    console.log(JSON.stringify({ packages: [...packages].sort()}));
    process.exit(0);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', './dist/tools/register-paths.js', '-e', script], {
    cwd: ROOT,
    // An endpoint nobody listens on: nothing is exported before the process exits.
    env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', ...env },
    timeout: 30000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { packages: string[] };
}

describe('what starting tracing loads', () => {
  it('leaves the OpenTelemetry SDK and its exporters unloaded on the lean path', async () => {
    const lean = await packagesLoadedBy({});
    expect(lean.packages).toEqual(expect.arrayContaining(['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/resources']));
    expect(lean.packages).not.toContain('@opentelemetry/sdk-node');
    expect(lean.packages.filter((name) => name.includes('exporter') || name.startsWith('@opentelemetry/sdk-'))).toEqual([]);
  }, 40000);

  it('loads the SDK when LAB_TRACER=sdk asks for it', async () => {
    const sdk = await packagesLoadedBy({ LAB_TRACER: 'sdk' });
    expect(sdk.packages).toContain('@opentelemetry/sdk-node');
    expect(sdk.packages).toContain('@opentelemetry/exporter-trace-otlp-proto');
  }, 40000);
});
