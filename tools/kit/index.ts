/**
 * The tools' kit: what load, experiments, bench and the tests share. One way to wait for a
 * condition, one HTTP client for the gateway and one shopper with its cookie jar, one option
 * parser, one set of number formats, one way to start a lab or attach to one.
 *
 * tools/lab imports the modules it needs directly (not this index), since the lab handles
 * here start labs through tools/lab.
 */
export * from './cli';
export * from './format';
export * from './headers';
export * from './http';
export * from './lab';
export * from './lab-handle';
export * from './metrics';
export * from './options';
export * from './ports';
export * from './process';
export * from './shopper';
export * from './wait';
export * from './chat-client';
export * from './chat-traffic';
