/**
 * The adversarial suite against the Python bridge, started as its README says (`python -m vinegym serve CartPole-v1
 * --port 0 --token T`, harness/python-bridge.ts): the same attacks, bounds and assertions as the TypeScript server's.
 * Needs the repo's .venv with the bridge installed (`pnpm test:setup`).
 */
import { describeAfterHelloAttacks } from './attacks/after-hello.js';
import { describeBeforeHelloAttacks } from './attacks/before-hello.js';
import { pythonBridge } from './harness/python-bridge.js';

describeBeforeHelloAttacks(pythonBridge());
describeAfterHelloAttacks(pythonBridge());
