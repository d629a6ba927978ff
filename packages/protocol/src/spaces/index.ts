export { box, discrete, multiDiscrete, multiBinary, dictSpace, tupleSpace } from './constructors.js';
export { validateSpace, spaceEquals } from './validate.js';
export { checkValue, checkBatch, checkBatchProblem, type BatchProblem, type BatchCheckOptions } from './check.js';
export { batchSpace, createBatch, writeToBatch, readFromBatch } from './batch.js';
export { sampleSpace, SpaceSampler, type SpaceRandom } from './sample.js';
export { describeSpace } from './describe.js';
export { shapeSize } from '../ndarray.js';
