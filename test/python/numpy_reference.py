"""Draws from NumPy's Generator (PCG64 via SeedSequence, as Gymnasium's np_random) for the RNG parity tests.

stdin: JSON list of cases {"seed": int, "calls": [[method, *args], ...]}; methods: "state" (the bit generator's
state after the calls so far), "random" n, "uniform" low high n, "standard_normal" n, "normal" loc scale n,
"standard_exponential" n, "exponential" scale n, "integers" low high n (int64), "integers8" low high n (int8),
"space" kind spec n (seeded Gymnasium spaces sampled n times; spec as in space_from_spec below).
stdout: JSON list with one list of results per case, one result per call. Floats are written by repr (exact);
64-bit integers as decimal strings.
"""
import json
import sys

import gymnasium as gym
import numpy as np


def space_from_spec(spec):
    kind = spec["type"]
    if kind == "box":
        dtype = np.dtype(spec["dtype"])
        bound = (lambda v: float(v)) if dtype.kind == "f" else int
        low = np.array([bound(v) for v in spec["low"]], dtype=dtype)
        high = np.array([bound(v) for v in spec["high"]], dtype=dtype)
        return gym.spaces.Box(low, high, dtype=dtype)
    if kind == "discrete":
        return gym.spaces.Discrete(spec["n"], start=spec.get("start", 0))
    if kind == "multi_discrete":
        return gym.spaces.MultiDiscrete(np.array(spec["nvec"], dtype=np.int64), start=np.array(spec["start"], dtype=np.int64))
    if kind == "multi_binary":
        return gym.spaces.MultiBinary(spec["n"])
    if kind == "dict":
        return gym.spaces.Dict({key: space_from_spec(sub) for key, sub in spec["spaces"]})
    if kind == "tuple":
        return gym.spaces.Tuple([space_from_spec(sub) for sub in spec["spaces"]])
    raise ValueError(kind)


def plain(value):
    if isinstance(value, dict):
        return {key: plain(sub) for key, sub in value.items()}
    if isinstance(value, tuple):
        return [plain(sub) for sub in value]
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        return [str(v) for v in array.reshape(-1).tolist()]
    return [float(v) for v in array.reshape(-1).astype(np.float64).tolist()]


def run(case):
    rng = np.random.default_rng(case["seed"])
    out = []
    for method, *args in case["calls"]:
        if method == "state":
            state = rng.bit_generator.state
            out.append({"state": str(state["state"]["state"]), "inc": str(state["state"]["inc"]),
                        "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]})
        elif method == "random":
            out.append(rng.random(args[0]).tolist())
        elif method == "uniform":
            out.append(rng.uniform(args[0], args[1], args[2]).tolist())
        elif method == "standard_normal":
            out.append(rng.standard_normal(args[0]).tolist())
        elif method == "normal":
            out.append(rng.normal(args[0], args[1], args[2]).tolist())
        elif method == "standard_exponential":
            out.append(rng.standard_exponential(args[0]).tolist())
        elif method == "exponential":
            out.append(rng.exponential(args[0], args[1]).tolist())
        elif method == "integers":
            out.append([str(v) for v in rng.integers(int(args[0]), int(args[1]), size=args[2]).tolist()])
        elif method == "integers8":
            out.append(rng.integers(args[0], args[1], size=args[2], dtype=np.int8).tolist())
        elif method == "space":
            space = space_from_spec(args[0])
            space.seed(case["seed"])
            out.append([plain(space.sample()) for _ in range(args[1])])
        else:
            raise ValueError(method)
    return out


def main():
    json.dump([run(case) for case in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
