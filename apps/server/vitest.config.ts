import { recVitestConfig } from '../../vitest.shared.js';

export default recVitestConfig();
