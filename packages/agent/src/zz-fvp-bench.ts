import { loadTf } from './tf.js';
import { Rng } from '@vinegym/rng';
import { GaussianMlpPolicy } from './policies/mlp-policies.js';
import { hostProblem } from './algos/trpo/host-problem.js';
import { tensorProblem } from './algos/trpo/tensor-problem.js';
import { trainConfig } from './config/train-config.js';
import { getFlatParams } from './math/flat.js';
import { loadavg } from 'node:os';
const { tf } = await loadTf();
const policy = new GaussianMlpPolicy(tf, { obsSize: 11, actionDim: 3, seed: 0 });
const rng = new Rng(1); const n = 2048;
const obs = Float32Array.from({ length: n * 11 }, () => rng.normal());
const { actions, logProbs } = policy.act(obs, rng);
const batch = { obs, actions, advantages: Float32Array.from({ length: n }, () => rng.normal()), oldLogProbs: logProbs };
const config = trainConfig({ trpo: { fisherSubsample: 1 } }).trpo;
const theta = getFlatParams(policy.variables);
console.log(loadavg());
const cfg = (implementation: 'jacobian' | 'autodiff' | 'host') => ({ ...config, implementation });
for (const [name, make] of [['host', () => hostProblem(policy.hostNetwork, 'gaussian', theta, batch, config)], ['autodiff', () => tensorProblem(tf, policy, batch, cfg('autodiff'))], ['jacobian', () => tensorProblem(tf, policy, batch, cfg('jacobian'))]] as const) {
  for (let rep = 0; rep < 5; rep++) {
    let t = performance.now();
    const p = make(); const build = performance.now() - t; t = performance.now();
    const g = p.gradient(); const grad = performance.now() - t; t = performance.now();
    let v = g; for (let i = 0; i < 16; i++) v = p.fisherProduct(v).map((x) => x / 10);
    const fvp = (performance.now() - t) / 16; t = performance.now();
    for (let i = 0; i < 5; i++) p.evaluate(theta.map((x) => x + 0.01));
    const ev = (performance.now() - t) / 5;
    p.dispose();
    console.log(name, `build ${build.toFixed(1)} grad ${grad.toFixed(1)} fvp ${fvp.toFixed(2)} eval ${ev.toFixed(2)} ms`);
  }
}
console.log(loadavg());
