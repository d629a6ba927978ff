"""Records an ale-py trace for frame-by-frame comparison with @vinegym/ale.

Reads a JSON request on stdin: {"rom": path, "seed": int, "actions": [ale action ids], "repeat": p}
and writes a binary trace to stdout. Header: b"ALET", uint32 height, uint32 width, uint32 frames.
Then one record per frame (frame 0 = right after reset_game, then one per act call):
screen palette indices (height*width bytes), RAM (128 bytes), int32 reward, int32 lives, uint8 game_over.
ALE is configured with frame_skip 1 and the given repeat_action_probability (default 0).
"""
import json
import struct
import sys

import ale_py


def main() -> None:
    req = json.load(sys.stdin)
    ale = ale_py.ALEInterface()
    ale.setLoggerMode(ale_py.LoggerMode.Error)
    ale.setInt("random_seed", int(req.get("seed", 0)))
    ale.setInt("frame_skip", 1)
    ale.setFloat("repeat_action_probability", float(req.get("repeat", 0.0)))
    ale.setInt("max_num_frames_per_episode", int(req.get("max_frames", 0)))
    ale.loadROM(req["rom"])
    ale.reset_game()
    h, w = ale.getScreenDims()
    actions = req["actions"]
    out = sys.stdout.buffer
    out.write(b"ALET" + struct.pack("<III", h, w, len(actions) + 1))

    def record(reward: int) -> None:
        out.write(ale.getScreen().tobytes())
        out.write(ale.getRAM().tobytes())
        out.write(struct.pack("<iiB", int(reward), int(ale.lives()), 1 if ale.game_over() else 0))

    record(0)
    for a in actions:
        r = ale.act(ale_py.Action(a))
        record(r)
    out.flush()


if __name__ == "__main__":
    main()
