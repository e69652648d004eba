/** A V8 CPU profile as the inspector writes it (.cpuprofile). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
}

/** Where a process spent its busy samples, by category, largest first (shares add up to 1). */
export interface ProfileSummary {
  busySamples: number;
  categories: Array<{ category: string; share: number }>;
}

/** Native functions that are the process writing to or reading from a socket: syscalls. */
const SOCKET_IO = new Set(['writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writev', 'readStop', 'readStart']);

/**
 * The category a sampled function belongs to: a package (`@nestjs/core`, `ioredis`,
 * `@opentelemetry/sdk-trace`), a part of the lab (`libs/transport`, `apps/gateway`), socket I/O,
 * garbage collection, or the rest of Node's core.
 */
export function categoryOf(frame: CpuProfile['nodes'][number]['callFrame']): string | undefined {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return undefined;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 and runtime';
  if (!url) return SOCKET_IO.has(functionName) ? 'socket I/O (syscalls)' : 'node core (native)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(apps|libs|tools)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return 'node core (streams, net, http, timers)';
  return 'other';
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    const category = node && categoryOf(node.callFrame);
    if (!category) continue;
    busy++;
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const categories = [...counts]
    .map(([category, samples]) => ({ category, share: busy === 0 ? 0 : samples / busy }))
    .sort((a, b) => b.share - a.share);
  return { busySamples: busy, categories };
}
