export * from './env';
export * from './lab-config';
export * from './telemetry-config';
export * from './config.module';
export * from './boot';
export * from './secrets';
export * from './gateway-config';
export * from './redis-config';
