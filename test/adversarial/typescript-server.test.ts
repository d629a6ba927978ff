/**
 * The adversarial suite against the TypeScript server, started as `pnpm run server` starts it (harness/). Another
 * server joins by passing its own ServerCommand to the same describe functions.
 */
import { describeAfterHelloAttacks } from './attacks/after-hello.js';
import { describeBeforeHelloAttacks } from './attacks/before-hello.js';
import { typescriptServer } from './harness/server-under-test.js';

describeBeforeHelloAttacks(typescriptServer());
describeAfterHelloAttacks(typescriptServer());
