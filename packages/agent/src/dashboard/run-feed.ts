/**
 * What the dashboard knows of one run directory: its label, every metrics row so far and its evaluation videos,
 * kept current by polling metrics.jsonl and videos/index.jsonl (the files are the interface: a run in another
 * process, one still training and one long finished all look the same).
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { METRICS_JSONL, parseMetricsLine, type IterationMetrics } from '../run/metrics-log.js';
import { CONFIG_FILE } from '../run/run-directory.js';
import { VIDEO_INDEX, VIDEOS_DIR, type VideoIndexEntry } from '../train/evaluation-videos.js';
import { JsonlTail } from './jsonl-tail.js';

export interface RunInfo {
  id: number;
  label: string;
  dir: string;
  envId: string | null;
  algo: string | null;
}

export type FeedUpdate =
  | { type: 'rows'; run: number; reset: boolean; rows: IterationMetrics[] }
  | { type: 'videos'; run: number; reset: boolean; videos: VideoIndexEntry[] };

export class RunFeed {
  readonly rows: IterationMetrics[] = [];
  readonly videos: VideoIndexEntry[] = [];
  private readonly metrics: JsonlTail;
  private readonly videoIndex: JsonlTail;

  private constructor(
    readonly info: RunInfo,
    readonly path: string,
  ) {
    this.metrics = new JsonlTail(join(path, METRICS_JSONL));
    this.videoIndex = new JsonlTail(join(path, VIDEOS_DIR, VIDEO_INDEX));
  }

  /** Opens the run in `dir` (its config.json must exist: a directory that never held a run is a typo). */
  static async open(id: number, dir: string): Promise<RunFeed> {
    const path = resolve(dir);
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(await readFile(join(path, CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${dir} is not a run directory (no readable ${CONFIG_FILE}: ${(error as Error).message})`);
    }
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    const label = text(config.label) ?? basename(path);
    return new RunFeed({ id, label, dir, envId: text(config.envId), algo: text(config.algo) }, path);
  }

  get videosDir(): string {
    return join(this.path, VIDEOS_DIR);
  }

  /** Reads what was appended since the last poll; returns the updates to pass on (none when nothing changed). */
  async poll(): Promise<FeedUpdate[]> {
    const updates: FeedUpdate[] = [];
    const metrics = await this.metrics.poll();
    const rows = metrics.lines.flatMap((line) => parseMetricsLine(line) ?? []);
    if (metrics.reset) this.rows.length = 0;
    if (metrics.reset || rows.length > 0) {
      this.rows.push(...rows);
      updates.push({ type: 'rows', run: this.info.id, reset: metrics.reset, rows });
    }
    const index = await this.videoIndex.poll();
    const videos = index.lines.flatMap((line) => parseVideoEntry(line) ?? []);
    if (index.reset) this.videos.length = 0;
    if (index.reset || videos.length > 0) {
      this.videos.push(...videos);
      updates.push({ type: 'videos', run: this.info.id, reset: index.reset, videos });
    }
    return updates;
  }
}

function parseVideoEntry(line: string): VideoIndexEntry | undefined {
  try {
    const entry = JSON.parse(line) as VideoIndexEntry;
    return typeof entry.file === 'string' && typeof entry.iteration === 'number' ? entry : undefined;
  } catch {
    return undefined;
  }
}
