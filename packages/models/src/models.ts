/**
 * The built-in models: importing a model's folder registers it (its `defineModel`
 * call). A new model adds its folder and one line here; `test/registry.test.ts` fails
 * when a folder with a `defineModel` is missing from this list.
 */
import './most-popular/index.js';
import './weaker-behavior/index.js';
import './bpr/index.js';
import './ncf/index.js';
import './cmf/index.js';
import './nmtr/index.js';
import './mrlr/index.js';
import './pmf/index.js';
import './svd/index.js';
import './cdae/index.js';
import './fm/index.js';
import './cofactor/index.js';
import './item2vec/index.js';
import './meta-prod2vec/index.js';
import './user2vec/index.js';
import './rnr/index.js';
import './category-rules/index.js';
import './ccrec/index.js';
import './sasrec/index.js';
import './fmlp-rec/index.js';
import './vae-rec/index.js';
import './mamba4rec/index.js';
import './melu/index.js';
import './tiger/index.js';
import './clrec/index.js';
import './secondhand/index.js';
