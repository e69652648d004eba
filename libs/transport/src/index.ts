export * from './frames';
export * from './handshake';
export * from './hop-error';
export * from './protocol';
export * from './lab-tcp.client';
export * from './lab-tcp.server';
export * from './upgrade-identity';
