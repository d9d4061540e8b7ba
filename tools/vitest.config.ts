import { recVitestConfig } from '../vitest.shared.js';

export default recVitestConfig({ testTimeout: 180_000 });
