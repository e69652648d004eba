export * from './patterns';
export * from './messages';
export * from './models';
export * from './errors';
export * from './reference-data';
export * from './lab-error';
export * from './lab-ipc';
export * from './lab-api';
