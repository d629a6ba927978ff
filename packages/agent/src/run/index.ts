export { RunDirectory, CONFIG_FILE, CHECKPOINTS_DIR } from './run-directory.js';
export {
  MetricsLog,
  metricColumns,
  readMetricsJsonl,
  REQUIRED_METRIC_COLUMNS,
  currentMetricName,
  METRICS_CSV,
  METRICS_JSONL,
  type IterationMetrics,
} from './metrics-log.js';
export {
  saveCheckpoint,
  loadLatestCheckpoint,
  loadCheckpoint,
  listCheckpoints,
  checkpointName,
  type CheckpointValue,
  type JsonValue,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
} from './checkpoint.js';
export { writeFileAtomic } from './atomic-write.js';
export {
  TensorBoardWriter,
  readTensorBoardEvents,
  EVENT_FILE_VERSION,
  type TensorBoardWriterOptions,
} from './tensorboard.js';
export type { TensorBoardEvent, ScalarValue } from './tensorboard-event.js';
export { crc32c, maskedCrc32c } from './crc32c.js';
export {
  ProgressDisplay,
  formatIterationLine,
  formatProgressBar,
  formatDuration,
  formatCount,
  type ProgressDisplayOptions,
  type ProgressStream,
} from './progress.js';
