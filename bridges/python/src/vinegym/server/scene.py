"""The 3D scene of a Gymnasium MuJoCo env for the render modes `scene` and `poses` (PROTOCOL.md 7.8).

The static part (each visible geom's type, size, colour, mesh data, and a camera) is read from
`env.unwrapped.model` once per request; poses are `data.geom_xpos` / `data.geom_xmat` of the same geoms. The same
rules as the TypeScript server's MuJoCo envs: geom groups 0-2 are visible (MuJoCo's viewer default), transparent
geoms and height fields are left out, a material's colour wins over the geom's, and the camera is the task's
`default_camera_config` (Gymnasium's DEFAULT_CAMERA_CONFIG) over MuJoCo's free-camera defaults.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# mjtGeom values 0..7, by name; a client that cannot draw a type skips it.
GEOM_TYPES = ("plane", "hfield", "sphere", "capsule", "ellipsoid", "cylinder", "box", "mesh")
VISIBLE_GROUPS = 3


def scene_problem(env: Any) -> str | None:
    """Why `env` cannot answer `scene` / `poses`, or None when it can."""
    inner = getattr(env, "unwrapped", env)
    model, data = getattr(inner, "model", None), getattr(inner, "data", None)
    if model is None or data is None or not hasattr(model, "geom_type") or not hasattr(data, "geom_xpos"):
        return "the env is not a MuJoCo env (no unwrapped.model / unwrapped.data)"
    return None


def _model_data(env: Any) -> tuple[Any, Any]:
    inner = env.unwrapped
    return inner.model, inner.data


def _visible_geoms(model: Any) -> np.ndarray:
    rgba = _geom_rgba(model)
    types = np.asarray(model.geom_type)
    keep = (np.asarray(model.geom_group) < VISIBLE_GROUPS) & (rgba[:, 3] > 0) & (types < len(GEOM_TYPES))
    keep &= types != GEOM_TYPES.index("hfield")
    return np.flatnonzero(keep)


def _geom_rgba(model: Any) -> np.ndarray:
    rgba = np.array(model.geom_rgba, dtype=np.float64).reshape(-1, 4)
    material = np.asarray(model.geom_matid)
    has_material = material >= 0
    if has_material.any():
        rgba[has_material] = np.asarray(model.mat_rgba).reshape(-1, 4)[material[has_material]]
    return rgba


def _mesh(model: Any, mesh_id: int) -> dict[str, np.ndarray]:
    vert_adr, vert_num = int(model.mesh_vertadr[mesh_id]), int(model.mesh_vertnum[mesh_id])
    face_adr, face_num = int(model.mesh_faceadr[mesh_id]), int(model.mesh_facenum[mesh_id])
    vertices = np.asarray(model.mesh_vert[vert_adr : vert_adr + vert_num], dtype=np.float32).reshape(vert_num, 3)
    faces = np.asarray(model.mesh_face[face_adr : face_adr + face_num], dtype=np.int32).reshape(face_num, 3)
    return {"vertices": np.ascontiguousarray(vertices), "faces": np.ascontiguousarray(faces)}


def _camera(env: Any, model: Any, geom_ids: np.ndarray) -> dict[str, Any]:
    renderer = getattr(env.unwrapped, "mujoco_renderer", None)
    config = dict(getattr(renderer, "default_cam_config", None) or {})
    track_body = int(config.get("trackbodyid", 1 if model.nbody > 1 else 0))
    track_geom = None
    if track_body > 0:
        owners = np.asarray(model.geom_bodyid)[geom_ids]
        matches = np.flatnonzero(owners == track_body)
        track_geom = int(matches[0]) if matches.size else None
    vis = model.vis.global_
    return {
        "lookat": [float(x) for x in config.get("lookat", model.stat.center)],
        "distance": float(config.get("distance", 1.5 * model.stat.extent)),
        "azimuth": float(config.get("azimuth", vis.azimuth)),
        "elevation": float(config.get("elevation", vis.elevation)),
        "fovy": float(vis.fovy),
        "track_geom": track_geom,
    }


def poses_of(env: Any) -> dict[str, np.ndarray]:
    """Every visible geom's world position [n, 3] and row-major rotation matrix [n, 9] now."""
    model, data = _model_data(env)
    ids = _visible_geoms(model)
    positions = np.ascontiguousarray(np.asarray(data.geom_xpos, dtype=np.float64)[ids])
    rotations = np.ascontiguousarray(np.asarray(data.geom_xmat, dtype=np.float64).reshape(-1, 9)[ids])
    return {"positions": positions, "rotations": rotations}


def scene_of(env: Any) -> dict[str, Any]:
    """The scene's static part: geoms (type, size, rgba, mesh index), meshes and camera."""
    model, _ = _model_data(env)
    ids = _visible_geoms(model)
    rgba = _geom_rgba(model)
    geoms: list[dict[str, Any]] = []
    meshes: list[dict[str, np.ndarray]] = []
    mesh_index: dict[int, int] = {}
    for g in ids:
        kind = GEOM_TYPES[int(model.geom_type[g])]
        # Colours come from float32: three decimals keep 0.8 from travelling as 0.800000011920929.
        geom: dict[str, Any] = {
            "type": kind,
            "size": [float(x) for x in model.geom_size[g]],
            "rgba": [round(float(x), 3) for x in rgba[g]],
        }
        if kind == "mesh":
            data_id = int(model.geom_dataid[g])
            if data_id not in mesh_index:
                mesh_index[data_id] = len(meshes)
                meshes.append(_mesh(model, data_id))
            geom["mesh"] = mesh_index[data_id]
        geoms.append(geom)
    return {"geoms": geoms, "meshes": meshes, "camera": _camera(env, model, ids)}
