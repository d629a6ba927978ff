export {
  Wrapper,
  ObservationWrapper,
  ActionWrapper,
  canDescribeScene,
  canRender,
  canSnapshot,
  canStepInto,
} from './wrapper.js';
export { TimeLimit } from './time-limit.js';
export { Autoreset } from './autoreset.js';
export { RecordEpisodeStatistics, EPISODE_STATISTICS_KEY } from './record-episode-statistics.js';
export { ClipAction, RescaleAction } from './action-wrappers.js';
export { FrameStackObservation, type FrameStackAxis } from './frame-stack.js';
export {
  AtariPreprocessing,
  atariPreprocessingOptions,
  type AtariPreprocessingOptions,
} from './atari-preprocessing.js';
export {
  WRAPPER_KWARGS,
  acceptedKwargs,
  episodeLimit,
  isWrapperKwarg,
  makeWrappedEnv,
  type WrappedEnv,
} from './compose.js';
