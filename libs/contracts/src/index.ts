export * from './patterns';
export * from './dto';
export * from './models';
export * from './errors';
export * from './reference-data';
export * from './lab-error';
export * from './lab-ipc';
