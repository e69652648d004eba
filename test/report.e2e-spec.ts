import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { renderHtmlReport, ReportInput } from '../tools/report/html-report';
import type { LinePoint } from '../tools/report/svg-charts';
import { CHROMIUM, chromiumAvailable, runChromium } from './support/chromium';

/** Deterministic wobble so the sample looks measured without being random. */
const wobble = (t: number, seed: number) => Math.sin(t * 1.7 + seed) * 0.6 + Math.sin(t * 0.43 + seed * 2) * 0.4;

function series(seconds: number, value: (t: number) => number | null): LinePoint[] {
  return Array.from({ length: seconds }, (_, t) => ({ x: t, y: value(t) }));
}

/** A crash experiment as `npm run experiment -- crash --report` would render it. */
function sampleReport(): ReportInput {
  const statefulRps = series(60, (t) => (t >= 20 && t < 24 ? [310, 820, 1750, 2600][t - 20] : 3900 + 140 * wobble(t, 1)));
  const redisRps = series(60, (t) => (t >= 35 && t < 45 ? (t === 35 ? 900 : null) : 2950 + 110 * wobble(t, 2)));
  const statefulP99 = series(60, (t) => (t >= 20 && t < 24 ? [48, 31, 19, 12][t - 20] : 7.5 + 1.2 * wobble(t, 3)));
  const redisP99 = series(60, (t) => (t >= 35 && t < 45 ? (t === 35 ? 1000 : null) : t === 45 ? 36 : 9.8 + 1.4 * wobble(t, 4)));
  return {
    title: 'Crash: what a dead replica takes with it',
    experiment: 'crash',
    startedAt: '2026-01-02T10:15:00.000Z',
    description:
      'Two hundred shoppers with carts; cart-2 and user-1 are killed 20 s into the load. Stateful mode loses what those replicas held; ' +
      'redis mode loses nothing but stalls while Redis itself is stopped from 35 s to 45 s.',
    runs: [
      {
        mode: 'stateful',
        routing: 'sticky-ring',
        throughputRps: 3871.4,
        latencyMs: { p50: 2.1, p95: 5.9, p99: 8.2, max: 61.3 },
        errors: 0,
        requestBytes: 187.2,
        sessionsBefore: 200,
        sessionsLost: 68,
        cartsLost: 64,
        errorsDuringRecovery: 71,
        timeline: statefulRps,
      },
      {
        mode: 'redis',
        routing: 'round-robin',
        throughputRps: 2466.9,
        latencyMs: { p50: 2.9, p95: 7.7, p99: 10.4, max: 10_012.5 },
        errors: 412,
        requestBytes: 187.4,
        sessionsBefore: 200,
        sessionsLost: 0,
        cartsLost: 0,
        errorsDuringRecovery: 412,
        timeline: redisRps,
      },
    ],
    charts: [
      {
        kind: 'line',
        id: 'throughput',
        title: 'Throughput',
        description: 'Completed responses per second; gaps are seconds without a single response.',
        yLabel: 'requests/s',
        series: [
          { name: 'stateful · sticky-ring', points: statefulRps },
          { name: 'redis · round-robin', points: redisRps },
        ],
        events: [
          { x: 20, label: 'crash cart-2' },
          { x: 20.5, label: 'crash user-1' },
          { x: 35, label: 'redis stopped' },
          { x: 45, label: 'redis back' },
        ],
        bands: [
          { from: 20, to: 24, label: 'replicas restarting' },
          { from: 35, to: 45, label: 'redis down' },
        ],
      },
      {
        kind: 'line',
        id: 'latency',
        title: 'Latency p99',
        description: 'Logarithmic scale: a stalled request is a thousand times slower than a normal one.',
        yLabel: 'ms',
        yScale: 'log',
        series: [
          { name: 'stateful · sticky-ring', points: statefulP99 },
          { name: 'redis · round-robin', points: redisP99, dashed: true },
        ],
        events: [{ x: 20, label: 'crash cart-2' }],
        bands: [{ from: 35, to: 45, label: 'redis down' }],
      },
      {
        kind: 'grouped-bar',
        id: 'share',
        title: 'Share of cart requests per replica',
        description: 'Sticky routing pins heavy shoppers to one replica.',
        yLabel: 'share of requests',
        format: 'percent',
        groups: ['sticky-modulo', 'sticky-ring', 'round-robin'],
        series: [
          { name: 'cart-1', values: [0.46, 0.41, 0.334] },
          { name: 'cart-2', values: [0.31, 0.27, 0.333] },
          { name: 'cart-3', values: [0.23, 0.32, 0.333] },
        ],
      },
      {
        kind: 'bar',
        id: 'sessions-lost',
        title: 'Sessions lost per run',
        yLabel: 'sessions',
        bars: [
          { label: 'stateful', value: 68 },
          { label: 'redis', value: 0 },
        ],
      },
    ],
  };
}

interface Png {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  pixels: Buffer;
}

/** Enough of PNG to read Chromium's screenshots: 8-bit RGB or RGBA, not interlaced. */
function decodePng(file: Buffer): Png {
  expect(file.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [bitDepth, colorType, , , interlace] = body.subarray(8, 13);
      if (bitDepth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) throw new Error(`unsupported PNG (${bitDepth} bit, colour type ${colorType})`);
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels] : 0;
      const up = previous[i];
      const upLeft = i >= channels ? previous[i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[i] = (line[i] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) pixels[(y * width + x) * 4 + c] = c < channels ? line[x * channels + c] : 255;
    }
    previous = line;
  }
  return { width, height, pixels };
}

const suite = chromiumAvailable ? describe : describe.skip;

suite(chromiumAvailable ? 'HTML report in headless Chromium' : `HTML report in headless Chromium (skipped: ${CHROMIUM} not found)`, () => {
  let workDir: string;
  let reportFile: string;

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'statelab-report-e2e-'));
    reportFile = path.join(workDir, 'crash-report.html');
    writeFileSync(reportFile, renderHtmlReport(sampleReport()));
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('renders every chart as an svg with its title, paths and rects, and the results table', async () => {
    const run = await runChromium(workDir, 'profile-dom', ['--dump-dom', `file://${reportFile}`]);
    expect(run.code).toBe(0);
    const dom = run.stdout;

    const charts = [...dom.matchAll(/<svg [^>]*data-chart="([a-z-]+)"[^>]*>([\s\S]*?)<\/svg>/g)];
    expect(charts.map((match) => match[1])).toEqual(['line', 'line', 'grouped-bar', 'bar']);
    for (const [, , inner] of charts) expect(inner).toMatch(/^<title[^>]*>[^<]+<\/title>/);

    const [throughput, latency, share, lost] = charts.map((match) => match[2]);
    expect(throughput.match(/<path d="M[\d.,ML]+"/g)).toHaveLength(2);
    expect(throughput).toContain('data-event="crash cart-2"');
    expect(throughput).toContain('data-band="redis down"');
    expect(throughput.match(/<rect /g)?.length).toBeGreaterThanOrEqual(2);
    expect(latency).toContain('stroke-dasharray="6 4"');
    expect(share.match(/<g class="bar" [^>]*><title>[^<]*<\/title><rect /g)).toHaveLength(9);
    expect(lost.match(/<g class="bar" /g)).toHaveLength(2);

    expect(dom).toMatch(/<table class="results">[\s\S]*<th scope="col"[^>]*>sessionsLost<\/th>[\s\S]*<td class="num">68<\/td>/);
  });

  it('takes a full, non-blank screenshot of the page', async () => {
    const screenshot = path.join(workDir, 'crash-report.png');
    const run = await runChromium(workDir, 'profile-shot', [`--screenshot=${screenshot}`, '--window-size=1200,1600', `file://${reportFile}`]);
    expect(run.code).toBe(0);
    expect(existsSync(screenshot)).toBe(true);
    expect(statSync(screenshot).size).toBeGreaterThan(30_000);

    const png = decodePng(readFileSync(screenshot));
    expect([png.width, png.height]).toEqual([1200, 1600]);
    const colours = new Set<number>();
    let inked = 0;
    for (let i = 0; i < png.pixels.length; i += 4) {
      const [r, g, b] = [png.pixels[i], png.pixels[i + 1], png.pixels[i + 2]];
      colours.add((r << 16) | (g << 8) | b);
      if (r + g + b < 600) inked++;
    }
    // Text, axes, series and bars in the palette: many colours and a fair share of non-background pixels.
    expect(colours.size).toBeGreaterThan(50);
    expect(inked / (png.width * png.height)).toBeGreaterThan(0.01);
  });
});
