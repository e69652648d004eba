export * from './patterns';
export * from './dto';
export * from './models';
export * from './errors';
