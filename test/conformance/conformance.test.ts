/**
 * Runs the conformance suite against a server that is already running:
 *   VINEGYM_CONFORMANCE_URL=ws://127.0.0.1:8765/v1/ws VINEGYM_CONFORMANCE_ENV=CartPole-v1 npx vitest run test/conformance
 * Skipped when VINEGYM_CONFORMANCE_URL is not set.
 */
import { describe, it } from 'vitest';
import { describeConformance } from './suite.js';

const url = process.env.VINEGYM_CONFORMANCE_URL;
if (url) {
  describeConformance(url, () => ({
    url,
    envId: process.env.VINEGYM_CONFORMANCE_ENV ?? 'CartPole-v1',
    maxEpisodeSteps: Number(process.env.VINEGYM_CONFORMANCE_MAX_STEPS ?? 600),
  }));
} else {
  describe('protocol v1 conformance against VINEGYM_CONFORMANCE_URL', () => {
    it.skip('set VINEGYM_CONFORMANCE_URL (and VINEGYM_CONFORMANCE_ENV) to run the suite against a server', () => {});
  });
}
