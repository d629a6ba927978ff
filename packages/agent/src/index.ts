export * from './env/vector-env.js';
export * from './client/connection.js';
export * from './client/remote-vector-env.js';
export * from './client/embedded-vector-env.js';
