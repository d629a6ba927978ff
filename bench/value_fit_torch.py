"""The reference of bench/value-fit.ts: sb3-contrib TRPO's critic update in torch on one thread, i.e.
n_critic_updates passes of shuffled minibatches of batch_size, Adam, mean squared error, on a 64-64 tanh MLP.
Prints the wall and CPU milliseconds of each fit, one fit per line, after a warm-up fit."""
import sys
import time

import numpy as np
import torch

rows, obs_size, epochs, minibatch, fits = (int(x) for x in sys.argv[1:6])
torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)
obs = torch.as_tensor(rng.normal(size=(rows, obs_size)), dtype=torch.float32)
targets = torch.as_tensor(np.sin(obs[:, 0].numpy()) + obs[:, 1].numpy() * obs[:, 2].numpy(), dtype=torch.float32)
net = torch.nn.Sequential(torch.nn.Linear(obs_size, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)


def fit():
    for _ in range(epochs):
        order = torch.randperm(rows)
        for start in range(0, rows, minibatch):
            index = order[start : start + minibatch]
            loss = torch.nn.functional.mse_loss(net(obs[index]).flatten(), targets[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


fit()
for _ in range(fits):
    start, cpu = time.perf_counter(), time.process_time()
    fit()
    print((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000, flush=True)
