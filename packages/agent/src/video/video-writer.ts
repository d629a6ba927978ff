/**
 * Writes a video file from raw frames with the system's ffmpeg: frames are piped to its stdin as rgb24 / rgba,
 * the container and codec follow the file's extension (VIDEO_FORMATS). The file appears only when it is complete
 * (ffmpeg writes `<file>.partial`, renamed on success), so a dashboard never serves half a video.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { NDArray } from '@vinegym/protocol';
import { requireFfmpeg } from './ffmpeg.js';

/** One frame: rows of pixels, top to bottom, RGB or RGBA, 8 bits per channel. */
export interface Frame {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/** A uint8 [height, width, 3|4] array (what envs render) as a Frame. */
export function frameFromArray(array: NDArray<'uint8'>): Frame {
  const [height, width, channels] = array.shape;
  if (array.shape.length !== 3 || (channels !== 3 && channels !== 4)) {
    throw new Error(`expected an RGB or RGBA frame [height, width, 3|4], got shape [${array.shape}]`);
  }
  return { width, height, channels, data: array.data };
}

export type VideoFormat = 'mp4' | 'webm' | 'gif';

/**
 * ffmpeg output arguments per container. mp4: H.264 in yuv420p (what every player and browser plays; needs even
 * sides, hence the pad); webm: VP8 at realtime speed on one thread (libvpx's threading costs more than it gives
 * on frames this small, see docs/videos.md); gif: a palette computed from the whole clip.
 */
const VIDEO_FORMATS: Readonly<Record<VideoFormat, readonly string[]>> = {
  mp4: [
    '-vf',
    'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ],
  webm: [
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '2M',
    '-crf',
    '10',
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'webm',
  ],
  gif: ['-vf', 'split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse', '-loop', '0', '-f', 'gif'],
};

/** The format of a video path by its extension; throws for others. */
export function videoFormatOf(path: string): VideoFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext in VIDEO_FORMATS) return ext as VideoFormat;
  throw new Error(`cannot write a video to ${path}: the file name must end in .mp4, .webm or .gif`);
}

export interface VideoWriterOptions {
  /** Frames per second of the video (default 30; envs' own render_fps: CartPole 50, Atari 60, MuJoCo 1/dt). */
  fps?: number;
}

export class VideoWriter {
  private process: ChildProcessByStdio<Writable, null, Readable> | null = null;
  private exited: Promise<void> | null = null;
  private shape: { width: number; height: number; channels: number } | null = null;
  private stderr = '';
  private frameCount = 0;

  private constructor(
    readonly path: string,
    readonly format: VideoFormat,
    private readonly ffmpeg: string,
    private readonly fps: number,
  ) {}

  /** Checks the extension and that ffmpeg exists; ffmpeg starts with the first frame (which sets the size). */
  static open(path: string, options: VideoWriterOptions = {}): VideoWriter {
    const format = videoFormatOf(path);
    const fps = options.fps ?? 30;
    if (!(fps > 0)) throw new Error(`video fps must be > 0, got ${fps}`);
    return new VideoWriter(path, format, requireFfmpeg(`writing ${path}`), fps);
  }

  get frames(): number {
    return this.frameCount;
  }

  async write(frame: Frame): Promise<void> {
    if (frame.data.length !== frame.width * frame.height * frame.channels) {
      throw new Error(
        `frame data holds ${frame.data.length} bytes, expected ${frame.width}×${frame.height}×${frame.channels}`,
      );
    }
    if (!this.shape) this.start(frame);
    const { width, height, channels } = this.shape!;
    if (frame.width !== width || frame.height !== height || frame.channels !== channels) {
      throw new Error(
        `frame ${this.frameCount} is ${frame.width}×${frame.height}×${frame.channels}, the video is ${width}×${height}×${channels}`,
      );
    }
    const stdin = this.process!.stdin;
    this.frameCount += 1;
    // Copy: the caller may reuse its buffer while the pipe still holds this one.
    if (!stdin.write(Buffer.from(frame.data)))
      await Promise.race([new Promise((resolve) => stdin.once('drain', resolve)), this.exited]);
    if (this.process!.exitCode !== null) await this.exited;
  }

  /** Finishes the file; returns the number of frames written. A video without frames is an error. */
  async close(): Promise<number> {
    if (!this.process) throw new Error(`no frames were written to ${this.path}`);
    this.process.stdin.end();
    await this.exited;
    await rename(this.partialPath, this.path);
    return this.frameCount;
  }

  /** Stops ffmpeg and removes the unfinished file. */
  async abort(): Promise<void> {
    if (!this.process) return;
    this.process.stdin.destroy();
    this.process.kill('SIGKILL');
    await this.exited?.catch(() => undefined);
    await rm(this.partialPath, { force: true });
  }

  private get partialPath(): string {
    return `${this.path}.partial`;
  }

  private start(frame: Frame): void {
    this.shape = { width: frame.width, height: frame.height, channels: frame.channels };
    const input = [
      '-f',
      'rawvideo',
      '-pix_fmt',
      frame.channels === 4 ? 'rgba' : 'rgb24',
      '-s',
      `${frame.width}x${frame.height}`,
      '-r',
      String(this.fps),
      '-i',
      'pipe:0',
    ];
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      ...input,
      ...VIDEO_FORMATS[this.format],
      this.partialPath,
    ];
    const child = spawn(this.ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.process = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-2000);
    });
    // A broken pipe shows up as ffmpeg's exit status below; without a listener it would be an uncaught error.
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`could not run ffmpeg (${this.ffmpeg}): ${error.message}`)));
      child.once('close', (code, signal) => {
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `ffmpeg failed writing ${this.path} (${signal ?? `exit ${code}`}): ${this.stderr.trim() || 'no message'}`,
            ),
          );
      });
    });
    // Errors surface through write() and close(); this keeps an unawaited rejection from crashing the process.
    this.exited.catch(() => undefined);
  }
}
