"""ale-py side of `pnpm bench:ale`: emulated frames per second with frame_skip 1, no sticky actions.

Reads JSON on stdin: {"roms": [paths], "frames": int, "warmup": int, "seed": int}; prints one JSON line per ROM:
{"rom", "frames", "cpuSeconds", "wallSeconds"}. Actions: uniform over the minimal action set; the game is reset
when it ends.
"""
import json
import random
import sys
import time

import ale_py


def bench(path: str, frames: int, warmup: int, seed: int) -> dict:
    ale = ale_py.ALEInterface()
    ale.setLoggerMode(ale_py.LoggerMode.Error)
    ale.setInt("random_seed", seed)
    ale.setInt("frame_skip", 1)
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(path)
    ale.reset_game()
    actions = ale.getMinimalActionSet()
    rnd = random.Random(seed)

    def run(n: int) -> None:
        for _ in range(n):
            ale.act(actions[rnd.randrange(len(actions))])
            if ale.game_over():
                ale.reset_game()

    run(warmup)
    c0, w0 = time.process_time(), time.perf_counter()
    run(frames)
    return {"rom": path, "frames": frames, "cpuSeconds": time.process_time() - c0, "wallSeconds": time.perf_counter() - w0}


def main() -> None:
    req = json.load(sys.stdin)
    for path in req["roms"]:
        print(json.dumps(bench(path, int(req["frames"]), int(req["warmup"]), int(req["seed"]))), flush=True)


if __name__ == "__main__":
    main()
