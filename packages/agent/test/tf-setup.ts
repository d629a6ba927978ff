/** Shared TensorFlow.js instance for the agent tests (the package's central backend choice). */
import { loadTf } from '../src/tf.js';

export const { tf, backend } = await loadTf();
