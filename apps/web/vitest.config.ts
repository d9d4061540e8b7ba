import { recVitestConfig } from '../../vitest.shared.js';

// The browser test builds the page and trains in headless Chromium: minutes on a busy 2-core machine at worst.
export default recVitestConfig({ testTimeout: 180_000 });
