// Draws a vinegym scene (PROTOCOL.md 7.8, render mode `scene`) with three.js: one mesh per geom, moved by the
// poses of each frame, seen by MuJoCo's free camera. Shared by the viewer page and the headless renderer, so
// the frames of videos are the pictures users see live.
import * as THREE from 'three';

const SKY = 0x9db4c8;
const DEG = Math.PI / 180;

/** A checkerboard texture for planes, like MuJoCo's default grid floor. */
function checkerTexture() {
  const size = 64;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const light = x < size / 2 !== y < size / 2;
      data.set(light ? [0x3d, 0x55, 0x6e, 255] : [0x2c, 0x3e, 0x52, 255], 4 * (y * size + x));
    }
  }
  const texture = new THREE.DataTexture(data, size, size);
  texture.wrapS = texture.wrapT = THREE.RepeatWrapping;
  texture.magFilter = THREE.NearestFilter;
  texture.needsUpdate = true;
  return texture;
}

/** three.js geometry of one geom, in the geom's frame (MuJoCo: capsules and cylinders along local z). */
function geometryOf(geom, meshes) {
  const [a, b, c] = geom.size;
  switch (geom.type) {
    case 'plane': {
      // A size of 0 means an infinite plane in MuJoCo; draw a large one.
      return new THREE.PlaneGeometry(2 * (a || 50), 2 * (b || 50));
    }
    case 'sphere':
      return new THREE.SphereGeometry(a, 24, 16);
    case 'ellipsoid':
      return new THREE.SphereGeometry(1, 24, 16).scale(a, b, c);
    case 'capsule':
      return new THREE.CapsuleGeometry(a, 2 * b, 8, 16).rotateX(Math.PI / 2);
    case 'cylinder':
      return new THREE.CylinderGeometry(a, a, 2 * b, 24).rotateX(Math.PI / 2);
    case 'box':
      return new THREE.BoxGeometry(2 * a, 2 * b, 2 * c);
    case 'mesh': {
      const mesh = meshes[geom.mesh];
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.Float32BufferAttribute(mesh.vertices, 3));
      geometry.setIndex(mesh.faces);
      const flat = geometry.toNonIndexed();
      flat.computeVertexNormals();
      return flat;
    }
    default:
      return null;
  }
}

/**
 * True when this browser draws WebGL on the CPU (SwiftShader, llvmpipe, ...: no GPU, or a blocked one). Antialiasing
 * multiplies the pixels such a renderer shades, so the viewer turns it off there.
 */
export function softwareWebGL() {
  const gl =
    document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (gl === null) return true;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

/**
 * A scene on `canvas`. `scene` is the JSON of GET /v1/sessions/:id/scene (meshes as flat arrays). Call
 * `setPoses(positions, rotations)` (flat [ngeom*3], [ngeom*9] row-major) then `render()`. Materials are Lambert
 * (diffuse only), planes unlit, and nothing casts shadows: a frame costs little even where WebGL is drawn by the CPU.
 */
export function createSceneView(
  canvas,
  scene,
  { width, height, preserveDrawingBuffer = false, antialias = true } = {},
) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias, preserveDrawingBuffer, powerPreference: 'low-power' });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height, false);
  const world = new THREE.Scene();
  world.background = new THREE.Color(SKY);
  world.add(new THREE.HemisphereLight(0xffffff, 0x445566, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.8);
  sun.position.set(-2, -3, 6);
  world.add(sun);

  const objects = scene.geoms.map((geom) => {
    const geometry = geometryOf(geom, scene.meshes);
    if (geometry === null) return null;
    const [r, g, b, alpha] = geom.rgba;
    const options = { color: new THREE.Color(r, g, b), transparent: alpha < 1, opacity: alpha };
    if (geom.type === 'plane') {
      const texture = checkerTexture();
      const [sx, sy] = geom.size;
      texture.repeat.set(2 * (sx || 50), 2 * (sy || 50));
      Object.assign(options, { map: texture, color: new THREE.Color(1, 1, 1) });
    }
    // A plane's normal is the same everywhere, so lighting would shade it uniformly: it is drawn unlit, which
    // spares the pixel-heaviest geom the lighting work (WebGL drawn by the CPU pays for every shaded pixel).
    const Material = geom.type === 'plane' ? THREE.MeshBasicMaterial : THREE.MeshLambertMaterial;
    const object = new THREE.Mesh(geometry, new Material(options));
    object.matrixAutoUpdate = false;
    world.add(object);
    return object;
  });

  const cam = scene.camera;
  const camera = new THREE.PerspectiveCamera(cam.fovy, width / height, 0.02, 500);
  camera.up.set(0, 0, 1);
  const lookat = new THREE.Vector3(...cam.lookat);
  let trackHeight = null; // the tracked geom's first height, once poses arrived
  /** MuJoCo's free camera: forward = (cos el cos az, cos el sin az, sin el), placed `distance` behind lookat. */
  const offset = new THREE.Vector3(
    -Math.cos(cam.elevation * DEG) * Math.cos(cam.azimuth * DEG),
    -Math.cos(cam.elevation * DEG) * Math.sin(cam.azimuth * DEG),
    -Math.sin(cam.elevation * DEG),
  ).multiplyScalar(cam.distance);
  const target = lookat.clone();
  camera.position.copy(target).add(offset);
  camera.lookAt(target);

  const matrix = new THREE.Matrix4();
  return {
    renderer,
    camera,
    /** Where the camera looks; the viewer's orbit controls share it. */
    target,
    setPoses(positions, rotations) {
      objects.forEach((object, k) => {
        if (object === null) return;
        const p = 3 * k;
        const r = 9 * k;
        matrix.set(
          rotations[r],
          rotations[r + 1],
          rotations[r + 2],
          positions[p],
          rotations[r + 3],
          rotations[r + 4],
          rotations[r + 5],
          positions[p + 1],
          rotations[r + 6],
          rotations[r + 7],
          rotations[r + 8],
          positions[p + 2],
          0,
          0,
          0,
          1,
        );
        object.matrix.copy(matrix);
        object.matrixWorldNeedsUpdate = true;
      });
      if (cam.track_geom !== null && cam.track_geom !== undefined) {
        const p = 3 * cam.track_geom;
        trackHeight ??= positions[p + 2];
        // Follow in x and y at the first height: the ground stays still while the robot hops.
        const delta = new THREE.Vector3(positions[p], positions[p + 1], trackHeight).sub(target);
        target.add(delta);
        camera.position.add(delta);
        camera.lookAt(target);
      }
    },
    resize(w, h) {
      renderer.setSize(w, h, false);
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
    },
    render() {
      renderer.render(world, camera);
    },
  };
}
