export * from './bootstrap';
export * from './replica.module';
export * from './replica.tokens';
export * from './replica-health';
export * from './rpc-error.filter';
export * from './replica-faults';
