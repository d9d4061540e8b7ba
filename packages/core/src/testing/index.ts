export { isRequired, skipOrFail, type RequirementFlag, type SkippableContext } from './required.js';
