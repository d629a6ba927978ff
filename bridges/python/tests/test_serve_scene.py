"""Render modes `scene` and `poses` (PROTOCOL.md 7.8) of the bridge serving a real Gymnasium Hopper: the scene is
MuJoCo's model as Gymnasium loads it, the poses are the geoms' frames of a local Hopper stepped the same way."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
from helpers import expect_error
from servers import ThreadedServer

from vinegym import VinegymClient


def _local_hopper(seed: int) -> gym.Env:
    env = gym.make("Hopper-v5")
    env.reset(seed=seed)
    return env


def _visible(model) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.flatnonzero((np.asarray(model.geom_group) < 3) & (np.asarray(model.geom_type) != 1))


def test_hopper_scene_and_poses_match_local_mujoco(hopper_server: ThreadedServer) -> None:
    with VinegymClient(hopper_server.url) as client:
        assert "render:scene" in client.hello["capabilities"]
        made = client.make("Hopper-v5", num_envs=2, seed=3)
        assert list(made)[-1] == "render_modes"
        assert made["render_modes"] == (["rgb_array"] if made["render_supported"] else []) + ["scene", "poses"]
        session = made["session_id"]
        expect_error("BAD_REQUEST", lambda: client.render_scene(session, 0))  # not reset yet
        client.reset(session)
        local = _local_hopper(3)
        model, data = local.unwrapped.model, local.unwrapped.data
        ids = _visible(model)

        answer = client.render_scene(session, 0, "scene")
        scene, poses = answer["scene"], answer["poses"]
        assert [g["type"] for g in scene["geoms"]] == ["plane", "capsule", "capsule", "capsule", "capsule"]
        assert scene["geoms"][1]["size"] == [float(x) for x in model.geom_size[ids[1]]]
        assert all(len(g["rgba"]) == 4 and all(0 <= c <= 1 for c in g["rgba"]) for g in scene["geoms"])
        assert scene["meshes"] == []
        # The camera is Gymnasium's DEFAULT_CAMERA_CONFIG for Hopper, tracking the torso (body 2)'s first geom.
        camera = scene["camera"]
        assert camera["distance"] == 3.0 and camera["lookat"] == [0.0, 0.0, 1.15] and camera["elevation"] == -20.0
        assert model.geom_bodyid[ids[camera["track_geom"]]] == 2 and camera["fovy"] == float(model.vis.global_.fovy)
        assert poses["positions"].shape == (5, 3) and poses["rotations"].shape == (5, 9)
        assert poses["positions"].dtype == np.float64
        assert np.array_equal(poses["positions"], data.geom_xpos[ids])

        actions = np.tile(np.array([0.2, -0.1, 0.2], dtype=np.float32), (2, 1))
        for _ in range(20):
            client.step(session, actions)
            _, _, terminated, truncated, _ = local.step(actions[0])
            assert not (terminated or truncated)  # no autoreset between the two
        moved = client.render_scene(session, 0, "poses")
        assert list(moved) == ["poses"]
        assert np.allclose(moved["poses"]["positions"], data.geom_xpos[ids], atol=1e-12)
        assert np.allclose(moved["poses"]["rotations"], data.geom_xmat[ids], atol=1e-12)
        assert not np.allclose(moved["poses"]["positions"], poses["positions"])

        expect_error("BAD_REQUEST", lambda: client.request("render", {"session_id": session, "env_index": 0, "mode": "svg"}))
        expect_error("BAD_REQUEST", lambda: client.render_scene(session, 2, "poses"))


def test_envs_without_a_scene_say_not_supported(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        assert "render:scene" not in client.hello["capabilities"]
        made = client.make("CartPole-v1", seed=0)
        assert "render_modes" not in made
        client.reset(made["session_id"])
        error = expect_error("NOT_SUPPORTED", lambda: client.render_scene(made["session_id"], 0, "poses"))
        assert "not a MuJoCo env" in str(error)
