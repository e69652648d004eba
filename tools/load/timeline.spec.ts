import { TimelineRecorder } from './timeline';

describe('TimelineRecorder', () => {
  it('gives one point per second with its rate, latency percentiles, errors and non-2xx', () => {
    const timeline = new TimelineRecorder();
    for (let i = 0; i < 100; i++) timeline.recordResponse(10 + i * 9, i + 1, i < 5 ? 503 : 200);
    timeline.recordError(500);
    timeline.recordResponse(1500, 4, 401);

    const points = timeline.finish(2000);
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ t: 0, rps: 100, errors: 1, non2xx: 5 });
    expect(points[0].p50).toBeCloseTo(50, 0);
    expect(points[0].p99).toBeCloseTo(99, 0);
    expect(points[1]).toEqual({ t: 1, rps: 1, p50: 4, p99: 4, errors: 0, non2xx: 1 });
  });

  it('keeps seconds without responses, with null latencies', () => {
    const timeline = new TimelineRecorder();
    timeline.recordResponse(100, 2, 200);
    timeline.recordError(1200);
    timeline.recordResponse(2100, 3, 200);
    const points = timeline.finish(3000);
    expect(points.map((point) => point.t)).toEqual([0, 1, 2]);
    expect(points[1]).toEqual({ t: 1, rps: 0, p50: null, p99: null, errors: 1, non2xx: 0 });
  });

  it('scales a final partial second to a rate and drops one shorter than a quarter second', () => {
    const long = new TimelineRecorder();
    for (let i = 0; i < 10; i++) long.recordResponse(1000 + i * 40, 1, 200);
    expect(long.finish(1500)[1]).toMatchObject({ t: 1, rps: 20 });

    const short = new TimelineRecorder();
    short.recordResponse(1050, 1, 200);
    expect(short.finish(1100)).toHaveLength(1);
  });

  it('hands out completed seconds once each while the run goes on', () => {
    const timeline = new TimelineRecorder();
    timeline.recordResponse(200, 1, 200);
    expect(timeline.takeCompleted(900)).toEqual([]);
    expect(timeline.takeCompleted(2100).map((point) => point.t)).toEqual([0, 1]);
    expect(timeline.takeCompleted(2500)).toEqual([]);
    expect(timeline.finish(3000).map((point) => point.t)).toEqual([0, 1, 2]);
  });

  it('still counts a response that lands in a second already handed out', () => {
    const timeline = new TimelineRecorder();
    timeline.takeCompleted(1000);
    timeline.recordResponse(999, 5, 500);
    timeline.recordError(10);
    expect(timeline.finish(1000)[0]).toEqual({ t: 0, rps: 1, p50: null, p99: null, errors: 1, non2xx: 1 });
  });
});
