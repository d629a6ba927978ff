"""--atari-preprocess: [52, 40, 4] uint8 observations (area-downsampled grayscale frames, the last 4 stacked)."""
from __future__ import annotations

import numpy as np
import pytest
from servers import ThreadedServer

from vinegym import VinegymClient
from vinegym.server.atari_preprocessing import area_weights


def test_area_weights_average_the_covered_cells() -> None:
    weights = area_weights(210, 52)
    assert weights.shape == (52, 210)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(area_weights(160, 40)[3], np.eye(160)[12:16].sum(axis=0) / 4)


def test_served_space_and_frame_stack(pong_preprocessed_server: ThreadedServer) -> None:
    with VinegymClient(pong_preprocessed_server.url) as client:
        made = client.make("ALE/Pong-v5", num_envs=2, seed=0)
        space = made["single_observation_space"]
        assert (space["type"], space["dtype"], space["shape"]) == ("box", "uint8", [52, 40, 4])
        session = made["session_id"]
        first = client.reset(session)["observations"]
        assert first.shape == (2, 52, 40, 4) and first.dtype == np.uint8
        assert all((first[..., k] == first[..., 0]).all() for k in range(4))  # a reset repeats the first frame
        assert first.max() > 0
        previous = first
        for _ in range(5):
            current = client.step(session, np.zeros(2, dtype=np.int64))["observations"]
            np.testing.assert_array_equal(current[..., :3], previous[..., 1:])  # the stack shifts by one frame
            previous = current


def test_obs_type_is_not_a_client_kwarg(pong_preprocessed_server: ThreadedServer) -> None:
    with VinegymClient(pong_preprocessed_server.url) as client:
        with pytest.raises(Exception, match="obs_type"):
            client.make("ALE/Pong-v5", num_envs=1, obs_type="rgb")
