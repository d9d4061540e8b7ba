// Importing a kernel module declares the kernel and registers its js reference.
import '../../kernels/elementwise/unary.js';
import '../../kernels/elementwise/binary.js';
import '../../kernels/elementwise/cast.js';
import '../../kernels/reduce/reduce.js';
import '../../kernels/reduce/broadcast_to.js';
import '../../kernels/dense/matmul.js';
import '../../kernels/dense/dense_bias_act.js';
import '../../kernels/dense/tower_score.js';
import '../../kernels/layout/transpose.js';
import '../../kernels/layout/slice.js';
import '../../kernels/layout/concat.js';
import '../../kernels/indexing/gather_rows.js';
import '../../kernels/indexing/scatter_add_rows.js';
import '../../kernels/indexing/take_along_axis.js';
import '../../kernels/softmax/softmax.js';
import '../../kernels/softmax/sampled_softmax.js';
import '../../kernels/random/dropout_mask.js';
import '../../kernels/sampling/neg_sample_exclude.js';
import '../../kernels/sampling/neg_sample_alias.js';
import '../../kernels/sampling/neg_sample_category.js';
import '../../kernels/sampling/neg_sample_multichannel.js';
import '../../kernels/sampling/neg_sample_cascade.js';
import '../../kernels/sampling/sample_weighted_candidates.js';
import '../../kernels/optim/sgd_update.js';
import '../../kernels/optim/sparse_sgd.js';
import '../../kernels/optim/adagrad_update.js';
import '../../kernels/optim/sparse_adagrad.js';
import '../../kernels/optim/adam_update.js';
import '../../kernels/optim/sparse_adam.js';
import '../../kernels/sgd/bpr_step.js';
import '../../kernels/sgd/skipgram_step.js';
import '../../kernels/ranking/rank_topk.js';
import { registerBackend } from '../../tensor/engine.js';
import { jsBackend } from './backend.js';

registerBackend(jsBackend);

export { hostData, hostF32, hostOutput, jsBackend, type HostHandle } from './backend.js';
