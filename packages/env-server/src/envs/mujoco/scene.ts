/**
 * The 3D scene of a MuJoCo simulation for the `scene` and `poses` render modes (PROTOCOL.md 7.8): the visible
 * geoms (type, size, colour, mesh data) and a camera from mjModel, once, then each geom's frame from mjData's
 * geom_xpos / geom_xmat per frame. Browsers draw it with three.js (the viewer page, the headless renderer).
 */
import type { NDArray, Scene, SceneCamera, SceneGeom, SceneGeomType, SceneMesh, ScenePoses } from '@vinegym/protocol';
import type { MujocoSim } from './sim.js';

/** mjtGeom values by name (mjGEOM_PLANE = 0 ... mjGEOM_MESH = 7). */
const GEOM_TYPES: readonly SceneGeomType[] = [
  'plane',
  'hfield',
  'sphere',
  'capsule',
  'ellipsoid',
  'cylinder',
  'box',
  'mesh',
];
/** MuJoCo's viewer shows geom groups 0, 1 and 2 by default; higher groups hold collision-only or helper geoms. */
const VISIBLE_GROUPS = 3;

/** How a task wants to be looked at (Gymnasium's DEFAULT_CAMERA_CONFIG); every field has a default. */
export interface MujocoCameraSpec {
  /** Body whose first geom the camera follows in x and y; 0 (the world): a fixed camera. Default 1, the robot's root. */
  trackBody?: number;
  /** Default: 1.5 × the model's extent (mjModel.stat.extent). */
  distance?: number;
  /** Default: the model's centre (mjModel.stat.center). */
  lookat?: number[];
  /** Degrees; default mjModel.vis.global.azimuth (90: looking along +y, so +x runs to the right). */
  azimuth?: number;
  /** Degrees; default mjModel.vis.global.elevation. */
  elevation?: number;
}

/** The visible geoms' ids, the scene (static part) and a reader of their poses. */
export class MujocoScene {
  readonly scene: Scene;
  private readonly geomIds: Int32Array;

  constructor(
    private readonly sim: MujocoSim,
    camera: MujocoCameraSpec = {},
  ) {
    const m = sim.model;
    const types = m.geom_type as Int32Array;
    const groups = m.geom_group as Int32Array;
    const rgbaOf = m.geom_rgba as Float32Array;
    const matOf = m.geom_matid as Int32Array;
    const matRgba = m.mat_rgba as Float32Array;
    const sizes = m.geom_size as Float64Array;
    const dataIds = m.geom_dataid as Int32Array;
    const ids: number[] = [];
    const geoms: SceneGeom[] = [];
    const meshes: SceneMesh[] = [];
    const meshIndex = new Map<number, number>();
    for (let g = 0; g < m.ngeom; g++) {
      const rgba = matOf[g] >= 0 ? matRgba.subarray(4 * matOf[g], 4 * matOf[g] + 4) : rgbaOf.subarray(4 * g, 4 * g + 4);
      if (groups[g] >= VISIBLE_GROUPS || rgba[3] === 0) continue;
      const type = GEOM_TYPES[types[g]];
      if (type === undefined || type === 'hfield') continue; // height fields are not drawn (no Gymnasium task uses one)
      const geom: SceneGeom = {
        type,
        size: Array.from(sizes.subarray(3 * g, 3 * g + 3)),
        rgba: Array.from(rgba, round3),
      };
      if (type === 'mesh') {
        const id = dataIds[g];
        if (!meshIndex.has(id)) {
          meshIndex.set(id, meshes.length);
          meshes.push(meshData(sim, id));
        }
        geom.mesh = meshIndex.get(id)!;
      }
      ids.push(g);
      geoms.push(geom);
    }
    this.geomIds = Int32Array.from(ids);
    this.scene = { geoms, meshes, camera: cameraOf(sim, camera, this.geomIds) };
  }

  /** Every scene geom's world position and rotation matrix now. */
  poses(): ScenePoses {
    const n = this.geomIds.length;
    const xpos = this.sim.data.geom_xpos as Float64Array;
    const xmat = this.sim.data.geom_xmat as Float64Array;
    const positions = new Float64Array(3 * n);
    const rotations = new Float64Array(9 * n);
    for (let k = 0; k < n; k++) {
      const g = this.geomIds[k];
      positions.set(xpos.subarray(3 * g, 3 * g + 3), 3 * k);
      rotations.set(xmat.subarray(9 * g, 9 * g + 9), 9 * k);
    }
    return { positions: ndarray64([n, 3], positions), rotations: ndarray64([n, 9], rotations) };
  }
}

function cameraOf(sim: MujocoSim, spec: MujocoCameraSpec, geomIds: Int32Array): SceneCamera {
  const m = sim.model;
  const trackBody = spec.trackBody ?? (m.nbody > 1 ? 1 : 0);
  const bodyOf = m.geom_bodyid as Int32Array;
  let trackGeom: number | null = null;
  if (trackBody > 0) {
    const k = geomIds.findIndex((g) => bodyOf[g] === trackBody);
    trackGeom = k >= 0 ? k : null;
  }
  const stat = m.stat as { extent: number; center: ArrayLike<number> };
  const global = m.vis.global as { azimuth: number; elevation: number; fovy: number };
  return {
    lookat: spec.lookat ?? Array.from(stat.center),
    distance: spec.distance ?? 1.5 * stat.extent,
    azimuth: spec.azimuth ?? global.azimuth,
    elevation: spec.elevation ?? global.elevation,
    fovy: global.fovy,
    track_geom: trackGeom,
  };
}

function meshData(sim: MujocoSim, id: number): SceneMesh {
  const m = sim.model;
  const vertAdr = (m.mesh_vertadr as Int32Array)[id];
  const vertNum = (m.mesh_vertnum as Int32Array)[id];
  const faceAdr = (m.mesh_faceadr as Int32Array)[id];
  const faceNum = (m.mesh_facenum as Int32Array)[id];
  const vertices = Float32Array.from((m.mesh_vert as Float32Array).subarray(3 * vertAdr, 3 * (vertAdr + vertNum)));
  const faces = Int32Array.from((m.mesh_face as Int32Array).subarray(3 * faceAdr, 3 * (faceAdr + faceNum)));
  return {
    vertices: { dtype: 'float32', shape: [vertNum, 3], data: vertices },
    faces: { dtype: 'int32', shape: [faceNum, 3], data: faces },
  };
}

function ndarray64(shape: number[], data: Float64Array): NDArray<'float64'> {
  return { dtype: 'float64', shape, data };
}

/** Colours come from float32; three decimals keep 0.8 from travelling as 0.800000011920929. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
