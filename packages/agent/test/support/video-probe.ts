/** Reads videos back with the system's ffprobe / ffmpeg, to check what the video code wrote. */
import { execFileSync } from 'node:child_process';
import { findFfmpeg, findOnPath } from '../../src/video/ffmpeg.js';

export const FFMPEG = findFfmpeg();
export const FFPROBE = findOnPath('ffprobe');
/** Why video tests skip, or null when they run. */
export const VIDEO_TOOLS_MISSING =
  FFMPEG && FFPROBE ? null : 'ffmpeg / ffprobe are not installed (apt-get install ffmpeg; .ci/run installs it)';

export interface VideoStream {
  codec: string;
  width: number;
  height: number;
  frames: number;
}

/** The first video stream of `path`, its frames counted by decoding them all. */
export function probeVideo(path: string): VideoStream {
  const out = execFileSync(
    FFPROBE!,
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height,nb_read_frames',
      '-of',
      'json',
      path,
    ],
    { encoding: 'utf8' },
  );
  const stream = (JSON.parse(out) as { streams: Record<string, string | number>[] }).streams[0];
  return {
    codec: String(stream.codec_name),
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number(stream.nb_read_frames),
  };
}

/** Every frame of `path` decoded to RGB, width × height × 3 bytes each. */
export function decodeFrames(path: string, width: number, height: number): Buffer[] {
  const raw = execFileSync(FFMPEG!, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 1 << 30,
  });
  const size = width * height * 3;
  return Array.from({ length: raw.length / size }, (_, i) => raw.subarray(i * size, (i + 1) * size));
}

/** Mean absolute difference per byte of two equally sized frames. */
export function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i] - b[i]);
  return total / a.length;
}

/** How many consecutive pairs of frames differ at all. */
export function changingFramePairs(frames: Buffer[]): number {
  let count = 0;
  for (let i = 1; i < frames.length; i++) if (!frames[i].equals(frames[i - 1])) count += 1;
  return count;
}
