export * from './env/vector-env.js';
