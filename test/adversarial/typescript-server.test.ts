/**
 * The adversarial suite against the TypeScript server, started as `pnpm run server` starts it (harness/). Another
 * server joins by passing its own ServerCommand to the same describe functions.
 */
import { describeAfterHelloAttacks } from './attacks/after-hello.js';
import { describeBeforeHelloAttacks } from './attacks/before-hello.js';
import { describeDefaultServerEnvAttacks } from './attacks/env-defaults.js';
import { describeEnvLevelAttacks } from './attacks/env-level.js';
import { typescriptServer } from './harness/server-under-test.js';

describeBeforeHelloAttacks(typescriptServer());
describeAfterHelloAttacks(typescriptServer());
describeEnvLevelAttacks(typescriptServer());
describeDefaultServerEnvAttacks(typescriptServer());
