/**
 * Where a video's frames come from. A FrameSource gives the picture of one env slot as it is now; videos and the
 * dashboard's replays take any of them. FRAME_PROVIDERS are asked in order which one can serve an env: the env's
 * own `render` (CartPole, Atari, Gymnasium envs behind the Python bridge that render rgb_array), then the scene
 * renderer for envs that describe a 3D scene instead (MuJoCo; scene-frames.ts). registerFrameProvider adds more.
 */
import type { VectorEnv } from '../env/vector-env.js';
import { SCENE_RENDER } from './scene-frames.js';
import { frameFromArray, type Frame } from './video-writer.js';

export interface FrameSource {
  /** The current picture of the env slot. */
  frame(): Promise<Frame>;
  /** Releases what the source holds (a browser page, say). */
  close(): Promise<void>;
}

export interface FrameProvider {
  name: string;
  /** Whether this provider can draw the env's slots. */
  accepts(env: VectorEnv): boolean;
  open(env: VectorEnv, envIndex: number): Promise<FrameSource>;
}

/** The env's own rgb_array render over the protocol. */
export const ENV_RENDER: FrameProvider = {
  name: 'env render',
  accepts: (env) => env.spec.render_supported,
  open: async (env, envIndex) => ({
    frame: async () => frameFromArray(await env.render(envIndex)),
    close: async () => undefined,
  }),
};

const FRAME_PROVIDERS: FrameProvider[] = [ENV_RENDER, SCENE_RENDER];

/** Adds a provider, asked before the built-in ones (e.g. a scene renderer for envs that do not render themselves). */
export function registerFrameProvider(provider: FrameProvider): void {
  FRAME_PROVIDERS.unshift(provider);
}

/** The Gymnasium v5 MuJoCo tasks and our custom-MJCF env. */
const MUJOCO_ENV_ID =
  /^(Ant|HalfCheetah|Hopper|Humanoid|HumanoidStandup|InvertedDoublePendulum|InvertedPendulum|Pusher|Reacher|Swimmer|Walker2d)-v\d+$|^mujoco\//;

/** Why `envId` has no frames, in words a user can act on. */
export function noFramesMessage(envId: string): string {
  if (MUJOCO_ENV_ID.test(envId)) {
    return (
      `MuJoCo video needs the scene render modes (scene, poses), and the server of ${envId} does not offer them: ` +
      'serve it with a vinegym env server that has them (protocol 7.8), or use the embedded server'
    );
  }
  return `${envId} does not render frames (its server reports render_supported: false), so there is nothing to record`;
}

/** The first provider that can draw `env`; throws noFramesMessage when none can. */
export function frameProviderFor(env: VectorEnv): FrameProvider {
  const provider = FRAME_PROVIDERS.find((p) => p.accepts(env));
  if (!provider) throw new Error(noFramesMessage(env.spec.env_id));
  return provider;
}
