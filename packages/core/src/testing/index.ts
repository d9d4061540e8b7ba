import '../index.js';
export { isRequired, skipOrFail, type RequirementFlag, type SkippableContext } from './required.js';
export { gradCheck, denseGradient, type GradCheckOptions, type GradCheckResult } from './gradcheck.js';
export { forEachBackend, assertClose, assertExact, type ParityBackend, type Tolerance } from './backends.js';
