import '../src/envs/mujoco/ready.js';
import { MjcfSandbox } from '../src/envs/mujoco/mjcf-sandbox.js';
const sandbox = new MjcfSandbox({ compileTimeoutMs: 20000 });
const docs = {
  geoms10k: '<mujoco><worldbody><replicate count="10000" offset=".1 0 0"><geom size=".1"/></replicate></worldbody></mujoco>',
  nested: '<mujoco><worldbody><replicate count="30" offset="1 0 0"><replicate count="30" offset="0 1 0"><replicate count="30" offset="0 0 1"><geom size=".1"/></replicate></replicate></replicate></worldbody></mujoco>',
  bodies: '<mujoco><worldbody><replicate count="40" offset="1 0 0"><replicate count="40" offset="0 1 0"><body><freejoint/><geom size=".1"/></body></replicate></replicate></worldbody></mujoco>',
};
for (const [name, xml] of Object.entries(docs)) {
  const t = performance.now();
  try { const r = await sandbox.check(xml, { key: 'xml', quoteErrors: true }); console.log(name, xml.length, 'ok', r, Math.round(performance.now() - t)); }
  catch (e) { console.log(name, xml.length, (e as Error).message, (e as any).details, Math.round(performance.now() - t)); }
}
