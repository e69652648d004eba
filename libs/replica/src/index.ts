export * from './bootstrap';
export * from './replica.module';
export * from './replica.tokens';
export * from './rpc-exception.filter';
export * from './rpc-validation.pipe';
