export * from './types.js';
export { VinegymError, ERRORS, toWireError, fromWireError, rejection } from './errors.js';
export {
  DTYPES,
  dtypeByteSize,
  typedArrayFor,
  typedArrayView,
  isBigIntDType,
  ndarray,
  isNDArray,
  ndarrayEquals,
  isIntegerDType,
  isFloatDType,
  isDType,
  shapeEquals,
} from './ndarray.js';
export { encodeFrame, encodeFrameInto, decodeFrame } from './codec.js';
export { scanFrame, isValidUtf8, UNLIMITED_BUDGET, type DecodeBudget, type DecodeBudgetNames } from './frame-scan.js';
export { parseRequestFrame, parseResponseFrame, isPingFrame, isPongFrame } from './frames.js';
export { validateRequestBody } from './request-bodies.js';
export { MAX_QUOTED_CHARS, quote, truncateText } from './checks.js';
export * from './spaces/index.js';
