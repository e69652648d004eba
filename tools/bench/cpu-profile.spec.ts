import { categoryOf, summarizeProfile } from './cpu-profile';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });

describe('categoryOf()', () => {
  it.each([
    [frame('(idle)'), undefined],
    [frame('(garbage collector)'), 'garbage collection'],
    [frame('writeBuffer'), 'socket I/O (syscalls)'],
    [frame('intercept', 'file:///work/node_modules/@nestjs/core/interceptors/x.js'), '@nestjs/core'],
    [frame('sendCommand', '/work/node_modules/ioredis/built/Redis.js'), 'ioredis'],
    [frame('call', 'file:///work/main/dist/libs/transport/src/lab-tcp.server.js'), 'libs/transport'],
    [frame('emit', 'node:events'), 'node core (streams, net, http, timers)'],
  ])('puts %j under %s', (callFrame, category) => {
    expect(categoryOf(callFrame)).toBe(category);
  });
});

describe('summarizeProfile()', () => {
  it('shares the busy samples by category, idle left out, largest first', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(idle)') },
        { id: 2, callFrame: frame('writeBuffer') },
        { id: 3, callFrame: frame('get', '/x/node_modules/ioredis/a.js') },
      ],
      samples: [1, 1, 2, 3, 2, 2, 1],
    };
    expect(summarizeProfile(profile)).toEqual({
      busySamples: 4,
      categories: [
        { category: 'socket I/O (syscalls)', share: 0.75 },
        { category: 'ioredis', share: 0.25 },
      ],
    });
  });
});
