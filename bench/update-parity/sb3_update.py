"""sb3-contrib's half of the one-update parity experiment (issue 17, docs/results-mujoco.md).

Reads the JSON that vinegym-update.ts wrote (one batch sampled by vinegym, its initial policy and value weights,
and vinegym's g, s, sᵀAs, β, line search, new parameters, KL and value-fit loss), loads the same weights into an
sb3-contrib TRPO("MlpPolicy") policy, fills its rollout buffer with the same rewards, values and episode
boundaries, lets the buffer compute GAE, and calls sb3-contrib's own train() on it, recording its conjugate
gradient input and output, its Fisher products and its line-search trials. Prints both side by side.

    python bench/update-parity/sb3_update.py batch.json
"""

import json
import sys

import gymnasium as gym
import numpy as np
import torch as th
import sb3_contrib.trpo.trpo as trpo_module
from sb3_contrib import TRPO
from stable_baselines3.common.logger import configure

th.set_num_threads(1)


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def load_record(path):
    with open(path) as f:
        return json.load(f)


POLICY_LAYOUT = [  # (name, transposed) of the sb3 parameter holding each vinegym policy variable, in order
    ("mlp_extractor.policy_net.0.weight", True),
    ("mlp_extractor.policy_net.0.bias", False),
    ("mlp_extractor.policy_net.2.weight", True),
    ("mlp_extractor.policy_net.2.bias", False),
    ("action_net.weight", True),
    ("action_net.bias", False),
    ("log_std", False),
]


VALUE_LAYOUT = [
    ("mlp_extractor.value_net.0.weight", True),
    ("mlp_extractor.value_net.0.bias", False),
    ("mlp_extractor.value_net.2.weight", True),
    ("mlp_extractor.value_net.2.bias", False),
    ("value_net.weight", True),
    ("value_net.bias", False),
]


def load_weights(policy, layout, variables):
    params = dict(policy.named_parameters())
    with th.no_grad():
        for (name, transpose), variable in zip(layout, variables, strict=True):
            value = th.tensor(np.array(variable["data"], dtype=np.float32).reshape(variable["shape"]))
            params[name].copy_(value.T if transpose else value)


def to_vinegym_order(flat, names, policy, layout):
    """A flat vector over sb3's actor parameters (in `names` order) rearranged into vinegym's flat layout."""
    params = dict(policy.named_parameters())
    pieces, offset = {}, 0
    for name in names:
        n = params[name].numel()
        pieces[name] = flat[offset : offset + n].reshape(params[name].shape)
        offset += n
    return np.concatenate([(pieces[name].T if t else pieces[name]).reshape(-1) for name, t in layout])


def vinegym_groups(record):
    """Slices of vinegym's flat policy vector per variable."""
    names = ["W1", "b1", "W2", "b2", "W_out", "b_out", "log_std"]
    slices, offset = {}, 0
    for name, variable in zip(names, record["initialPolicy"], strict=True):
        n = int(np.prod(variable["shape"]))
        slices[name] = slice(offset, offset + n)
        offset += n
    return slices


def fill_buffer(model, record):
    """The batch in sb3's buffer as one env stream: vinegym's slots one after another, each a run of episodes."""
    n, gamma = record["steps"], record["config"]["advantage"]["gamma"]
    buffer = model.rollout_buffer
    assert buffer.buffer_size == n and buffer.n_envs == 1, "n_steps must equal the batch size"
    obs = np.array(record["obs"], dtype=np.float32).reshape(n, 1, -1)
    actions = np.array(record["actions"], dtype=np.float32).reshape(n, 1, -1)
    rewards = np.array(record["rewards"], dtype=np.float32)
    terminated = np.array(record["terminated"], dtype=bool)
    truncated = np.array(record["truncated"], dtype=bool)
    bootstrap = np.array(record["bootstrapValues"], dtype=np.float32)
    # sb3 (on_policy_algorithm.collect_rollouts) adds γ·V(final observation) to the reward of a step cut by the time
    # limit and then treats it as done; the batch's last step is bootstrapped through last_values instead.
    cut = truncated & ~terminated
    cut[n - 1] = False
    rewards = np.where(cut, rewards + gamma * bootstrap, rewards)
    ends = terminated | truncated
    starts = np.zeros(n, dtype=np.float32)
    starts[0] = 1
    starts[1:] = ends[:-1]
    buffer.reset()
    buffer.observations[:] = obs
    buffer.actions[:] = actions
    buffer.rewards[:] = rewards.reshape(n, 1)
    buffer.episode_starts[:] = starts.reshape(n, 1)
    buffer.values[:] = np.array(record["values"], dtype=np.float32).reshape(n, 1)
    buffer.log_probs[:] = np.array(record["oldLogProbs"], dtype=np.float32).reshape(n, 1)
    buffer.pos, buffer.full = n, True
    last_values = th.tensor([bootstrap[n - 1]])
    buffer.compute_returns_and_advantage(last_values=last_values, dones=np.array([terminated[n - 1]]))


class Recorder:
    """Records what sb3-contrib's train() computes: CG's right-hand side and solution, sᵀAs, line-search trials."""

    def __init__(self, model):
        self.cg = []
        self.hvp_calls = 0
        self.s_as = None
        self.distribution_calls = 0
        self.rhs = None
        self.fisher_times_rhs = None
        solver = trpo_module.conjugate_gradient_solver

        def recording_solver(fn, b, **kwargs):
            self.rhs = b.detach()
            x = solver(fn, b, **kwargs)
            self.cg.append((b.detach().numpy().copy(), x.detach().numpy().copy()))
            return x

        trpo_module.conjugate_gradient_solver = recording_solver
        hvp = model.hessian_vector_product

        def recording_hvp(params, grad_kl, vector, retain_graph=True):
            if self.fisher_times_rhs is None:  # A·g without damping, for comparison with vinegym's
                damped = hvp(params, grad_kl, self.rhs, retain_graph=True)
                self.fisher_times_rhs = (damped - model.cg_damping * self.rhs).detach().numpy().copy()
            out = hvp(params, grad_kl, vector, retain_graph=retain_graph)
            self.hvp_calls += 1
            if not retain_graph:  # the sᵀAs product
                self.s_as = float(th.dot(vector, out))
            return out

        model.hessian_vector_product = recording_hvp
        get_distribution = model.policy.get_distribution

        def counting_get_distribution(obs):
            self.distribution_calls += 1
            return get_distribution(obs)

        model.policy.get_distribution = counting_get_distribution


def critic_fit(model, record, seed, eps):
    """sb3-contrib's critic loop (n_critic_updates passes of shuffled minibatches) alone, from the initial weights."""
    load_weights(model.policy, VALUE_LAYOUT, record["initialValue"])
    th.manual_seed(seed)
    np.random.seed(seed)
    vf = [p for n, p in model.policy.named_parameters() if "value" in n]
    optimizer = th.optim.Adam(vf, lr=model.learning_rate, eps=eps)
    for _ in range(model.n_critic_updates):
        for data in model.rollout_buffer.get(model.batch_size):
            loss = th.nn.functional.mse_loss(data.returns, model.policy.predict_values(data.observations).flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return value_loss(model)


def value_loss(model):
    buffer = model.rollout_buffer
    with th.no_grad():
        obs = th.tensor(buffer.observations.reshape(buffer.buffer_size, -1))
        pred = model.policy.predict_values(obs).flatten().numpy()
    return float(np.mean((pred - buffer.returns.reshape(-1)) ** 2))


def main(path):
    record = load_record(path)
    trpo = record["config"]["trpo"]
    vf = record["config"]["valueFunction"]
    adv = record["config"]["advantage"]
    model = TRPO(
        "MlpPolicy",
        gym.make(record["envId"]),
        n_steps=record["steps"],
        batch_size=vf["minibatchSize"],
        learning_rate=vf["learningRate"],
        n_critic_updates=vf["epochs"],
        gamma=adv["gamma"],
        gae_lambda=adv["lambda"],
        normalize_advantage=adv["normalize"],
        target_kl=trpo["maxKl"],
        cg_max_steps=trpo["cgIterations"],
        cg_damping=trpo["cgDamping"],
        line_search_shrinking_factor=trpo["backtrackRatio"],
        line_search_max_iter=trpo["lineSearchBacktracks"],
        seed=record["seed"],
        device="cpu",
    )
    policy = model.policy
    layout = POLICY_LAYOUT
    load_weights(policy, layout, record["initialPolicy"])
    load_weights(policy, VALUE_LAYOUT, record["initialValue"])
    actor_names = [n for n, _ in policy.named_parameters() if "value" not in n]
    theta_old = to_vinegym_order(
        th.cat([p.detach().reshape(-1) for n, p in policy.named_parameters() if "value" not in n]).numpy(),
        actor_names,
        policy,
        layout,
    )
    n = record["steps"]
    obs = th.tensor(np.array(record["obs"], dtype=np.float32).reshape(n, -1))
    actions = th.tensor(np.array(record["actions"], dtype=np.float32).reshape(n, -1))
    with th.no_grad():
        # get_distribution returns the same object each call: keep the torch Normal of the old parameters.
        old = policy.get_distribution(obs).distribution
        log_prob = old.log_prob(actions).sum(-1).numpy()
        values = policy.predict_values(obs).flatten().numpy()
    print("== inputs (same weights, same batch)")
    print(f"log-probs of the batch's actions, rel. diff vs vinegym's: {rel(log_prob, record['oldLogProbs']):.2e}")
    print(f"V(s), rel. diff vs vinegym's: {rel(values, record['values']):.2e}")

    fill_buffer(model, record)
    buffer = model.rollout_buffer
    print("== GAE (γ %.2f, λ %.2f, truncation bootstrapped)" % (adv["gamma"], adv["lambda"]))
    print(f"advantages, rel. diff: {rel(buffer.advantages.reshape(-1), record['advantagesRaw']):.2e}")
    print(f"returns (value targets), rel. diff: {rel(buffer.returns.reshape(-1), record['returns']):.2e}")
    a = buffer.advantages.reshape(-1)
    standardized = (a - a.mean()) / (a.std(ddof=1) + 1e-8)
    print(f"standardized advantages (torch's std is n−1), rel. diff: {rel(standardized, record['advantages']):.2e}")

    recorder = Recorder(model)
    th.manual_seed(record["seed"])  # CG starts from 1e-4·N(0, 1)
    loss_before = value_loss(model)
    model.set_logger(configure(None, []))
    model.train()
    g_sb3, s_sb3 = recorder.cg[0]
    g_sb3 = to_vinegym_order(g_sb3, actor_names, policy, layout)
    s_sb3 = to_vinegym_order(s_sb3, actor_names, policy, layout)
    beta_sb3 = float(np.sqrt(2 * trpo["maxKl"] / recorder.s_as))
    theta_new = to_vinegym_order(
        th.cat([p.detach().reshape(-1) for n, p in policy.named_parameters() if "value" not in n]).numpy(),
        actor_names,
        policy,
        layout,
    )
    fisher_g = to_vinegym_order(recorder.fisher_times_rhs, actor_names, policy, layout)
    trials = recorder.distribution_calls - 2  # the old distribution and the one the gradient differentiates
    with th.no_grad():
        new = policy.get_distribution(obs).distribution
        kl_old_new = float(th.distributions.kl_divergence(old, new).sum(-1).mean())
        kl_new_old = float(th.distributions.kl_divergence(new, old).sum(-1).mean())
    groups = vinegym_groups(record)
    d = record["actionDim"]
    # vinegym's KL and Fisher products are in its run's trpo.klReduction: summed over the d action dimensions (the
    # paper) or averaged (sb3-contrib's). This divides a summed one into sb3-contrib's units.
    sb3_divisor = lambda u: d if u.get("klReduction", "sum") == "sum" else 1

    print("== one TRPO step (sb3-contrib's train() vs vinegym's trpoUpdate)")
    header = f"{'':34s}{'sb3-contrib':>14s}" + "".join(f"{'vinegym ' + k:>25s}" for k in record["updates"])
    print(header)
    row = lambda label, sb3, ours: print(f"{label:34s}{sb3:>14s}" + "".join(f"{o:>25s}" for o in ours))
    ups = list(record["updates"].values())
    row("surrogate L(θ_old)", "", [f"{u['surrogateBefore']:.3e}" for u in ups])
    row("|g|", f"{np.linalg.norm(g_sb3):.5f}", [f"{np.linalg.norm(u['g']):.5f}" for u in ups])
    row("g rel. diff vs sb3", "", [f"{rel(u['g'], g_sb3):.2e}" for u in ups])
    row("|A·g| (Fisher product, no damping)", f"{np.linalg.norm(fisher_g):.5f}",
        [f"{np.linalg.norm(u['fisherTimesGradient']):.5f}" for u in ups])
    row("|A·g| / sb3's", "", [f"{np.linalg.norm(u['fisherTimesGradient']) / np.linalg.norm(fisher_g):.4f}" for u in ups])
    row("A·g in sb3's units rel. diff (d = %d)" % d, "", [f"{rel(np.array(u['fisherTimesGradient']) / sb3_divisor(u), fisher_g):.2e}" for u in ups])
    row("|s|", f"{np.linalg.norm(s_sb3):.4f}", [f"{np.linalg.norm(u['s']):.4f}" for u in ups])
    row("s rel. diff vs sb3", "", [f"{rel(u['s'], s_sb3):.2e}" for u in ups])
    row("sᵀ(A+λI)s", f"{recorder.s_as:.5f}", [f"{u['sAs']:.5f}" for u in ups])
    row("β", f"{beta_sb3:.5f}", [f"{u['beta']:.5f}" for u in ups])
    row("line-search trials", f"{trials}", [f"{u['lineSearchSteps']}" for u in ups])
    row("KL(old‖new), summed over dims", f"{kl_old_new:.5f}", [f"{u['kl'] * d / sb3_divisor(u):.5f}" for u in ups])
    # What each line search tests against δ: sb3-contrib KL(new‖old) / d; vinegym KL(old‖new), summed or / d.
    row("KL tested against δ", f"{kl_new_old / d:.5f}", [f"{u['kl']:.5f} ({u['klReduction']})" for u in ups])
    row("new θ rel. diff vs sb3", "", [f"{rel(u['newParams'], theta_new):.2e}" for u in ups])
    for name, sl in groups.items():
        row(
            f"Δ{name} norm (rel. diff)",
            f"{np.linalg.norm(theta_new[sl] - theta_old[sl]):.4e}",
            [
                f"{np.linalg.norm(np.array(u['newParams'])[sl] - theta_old[sl]):.4e} "
                f"({rel(np.array(u['newParams'])[sl] - theta_old[sl], theta_new[sl] - theta_old[sl]):.0e})"
                for u in ups
            ],
        )
    ls = groups["log_std"]
    row("new log σ (mean)", f"{theta_new[ls].mean():+.5f}", [f"{np.mean(np.array(u['newParams'])[ls]):+.5f}" for u in ups])
    print("new log σ sb3:              ", np.array2string(theta_new[ls], precision=5))
    for k, u in record["updates"].items():
        print(f"new log σ {k:16s}:", np.array2string(np.array(u["newParams"])[ls], precision=5))
    print("g on log σ sb3:             ", np.array2string(g_sb3[ls], precision=5))
    print("g on log σ vinegym:         ", np.array2string(np.array(ups[0]["g"])[ls], precision=5))

    print("== value fit (10 × minibatches of 128, Adam at 1e-3) on the same targets; loss = MSE on the batch")
    print(f"before: sb3 {loss_before:.3f}, vinegym {record['valueFit']['lossBefore']:.3f}")
    print(f"after, sb3-contrib's train(): {value_loss(model):.3f}; vinegym: {record['valueFit']['lossAfter']:.3f}")
    for eps in (1e-5, 1e-8):
        losses = [critic_fit(model, record, seed, eps) for seed in range(5)]
        print(f"after, sb3's critic loop with Adam ε {eps:g}, 5 shuffles: {np.mean(losses):.3f} ± {np.std(losses):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
