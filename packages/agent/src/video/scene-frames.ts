/**
 * Frames of envs that describe a 3D scene instead of rendering pixels (MuJoCo: render modes `scene` and `poses`,
 * PROTOCOL.md 7.8): the static scene is fetched once, then each frame is the current poses drawn by the env
 * server's scene renderer (three.js in headless Chromium, `@vinegym/env-server/render`). RGBA, 480×480 by default
 * (Gymnasium's MuJoCo size).
 */
import type { FrameProvider } from './frame-source.js';

export const SCENE_FRAME_SIZE = 480;

export const SCENE_RENDER: FrameProvider = {
  name: 'scene renderer (three.js in headless Chromium)',
  accepts: (env) => typeof env.renderScene === 'function' && (env.spec.render_modes ?? []).includes('scene'),
  open: async (env, envIndex) => {
    // Loaded here: the agent reaches the renderer (and Chromium) only when a scene video is asked for.
    const { SceneRenderer, findChromium } = await import('@vinegym/env-server/render');
    // Checked now, not at the first frame: a training run with --video-every must not fail hours in.
    if (findChromium() === null) {
      throw new Error(
        `MuJoCo video of ${env.spec.env_id} needs Chromium for its scene renderer: install it (Debian: apt-get install chromium) or set VINEGYM_CHROMIUM to a Chrome/Chromium executable`,
      );
    }
    // The scene is fetched at the first frame: servers answer render requests only after a reset.
    let renderer: Awaited<ReturnType<typeof SceneRenderer.open>> | null = null;
    return {
      frame: async () => {
        if (!renderer) {
          const scene = (await env.renderScene!(envIndex, 'scene')).scene;
          if (!scene) throw new Error(`the server answered render mode 'scene' for ${env.spec.env_id} without a scene`);
          renderer = await SceneRenderer.open(scene, { width: SCENE_FRAME_SIZE, height: SCENE_FRAME_SIZE });
        }
        const poses = (await env.renderScene!(envIndex, 'poses')).poses;
        if (!poses) throw new Error(`the server answered render mode 'poses' for ${env.spec.env_id} without poses`);
        const frame = await renderer.frame(poses);
        return { width: frame.width, height: frame.height, channels: 4, data: frame.data };
      },
      close: async () => {
        await renderer?.close();
      },
    };
  },
};
