import { keep } from '../tensor/engine.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { onesLike, zerosLike } from '../ops/create.js';
import { add } from '../ops/elementwise.js';
import { concat } from '../ops/layout.js';
import { scatterAdd } from '../ops/indexing.js';
import { type Gradient, noGrad, RowSparse, type TapeNode } from './tape.js';

/** Adds two gradients, keeping row-sparse + row-sparse sparse. */
export function addGradients(a: Gradient, b: Gradient): Gradient {
  if (a instanceof RowSparse && b instanceof RowSparse) {
    return new RowSparse(concat([a.indices, b.indices]), concat([a.values, b.values]), a.shape);
  }
  if (a instanceof RowSparse) return scatterAdd(b as Tensor, a.indices, a.values);
  if (b instanceof RowSparse) return scatterAdd(a, b.indices, b.values);
  return add(a, b);
}

/** The dense form of a gradient (only for gradients of intermediate tensors, which are never tables). */
export function densify(g: Gradient, like: Tensor): Tensor {
  return g instanceof RowSparse ? scatterAdd(zerosLike(like), g.indices, g.values) : g;
}

function topologicalNodes(root: Tensor): TapeNode[] {
  const order: TapeNode[] = [];
  const seen = new Set<TapeNode>();
  // Iterative post-order DFS: deep graphs (long sequences of layers) must not overflow the stack.
  const stack: [TapeNode, number][] = [];
  if (root.gradNode) stack.push([root.gradNode, 0]);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i === 0 && seen.has(node)) {
      stack.pop();
      continue;
    }
    seen.add(node);
    if (i < node.inputs.length) {
      top[1] = i + 1;
      const input = node.inputs[i];
      if (input.isDisposed && input.requiresGrad) {
        throw new Error(`backward: input ${i} of '${node.op}' was disposed before backward — a tidy() around the forward pass disposes the graph behind the tensors it returns; call backward inside the same tidy()`);
      }
      const child = input.gradNode;
      if (child && !seen.has(child)) stack.push([child, 0]);
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

/**
 * Reverse-mode differentiation from `root` (a scalar loss, or any tensor with
 * an explicit `seed` gradient of its shape). Gradients of leaves that require
 * them — parameters — are added to their `grad` (dense, or {@link RowSparse}
 * for gathered tables); call `zeroGrad` between steps. Runs without recording.
 *
 * @example
 * ```ts
 * const loss = bprLoss(pos, neg);
 * backward(loss);
 * optimizer.step();
 * ```
 */
export function backward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad) throw new Error(`backward: ${root} does not require a gradient (no parameter contributed to it, or it was computed under noGrad)`);
  if (seed && !shapesEqual(seed.shape, root.shape)) throw new Error(`backward: seed ${formatShape(seed.shape)} must match ${formatShape(root.shape)}`);
  if (!seed && root.size !== 1) throw new Error(`backward: root ${formatShape(root.shape)} is not a scalar; pass a seed gradient`);
  noGrad(() => {
    const grads = new Map<Tensor, Gradient>();
    grads.set(root, seed ?? onesLike(root));
    const accumulate = (t: Tensor, g: Gradient) => {
      const prev = grads.get(t);
      grads.set(t, prev ? addGradients(prev, g) : g);
    };
    const nodes = topologicalNodes(root);
    for (let n = nodes.length - 1; n >= 0; n--) {
      const node = nodes[n];
      const dys = node.outputs.map((o) => {
        const g = grads.get(o);
        grads.delete(o);
        return g ? densify(g, o) : zerosLike(o);
      });
      const dxs = node.grad(dys, node);
      node.inputs.forEach((x, i) => {
        const g = dxs[i];
        if (!g || !x.requiresGrad) return;
        if (!(g instanceof RowSparse) && !shapesEqual(g.shape, x.shape)) {
          throw new Error(`internal: gradient of '${node.op}' input ${i} is ${formatShape(g.shape)}, expected ${formatShape(x.shape)}`);
        }
        accumulate(x, g);
      });
    }
    for (const [t, g] of grads) {
      if (t.gradNode || !t.requiresGrad) continue;
      const prev = t.grad;
      // A fresh tensor object per leaf: gradients passed through unchanged (add, reshape, a 1-D
      // gather's ids) are shared objects, and one leaf's zeroGrad must not dispose another's.
      t.grad = prev ? addGradients(prev, g) : ownGradient(g);
      keepGradient(t.grad);
      prev?.dispose();
    }
  });
}

function keepGradient(g: Gradient): void {
  if (g instanceof RowSparse) {
    keep(g.indices);
    keep(g.values);
  } else keep(g);
}

/** The same storage under a new tensor object (the storage is reference-counted). */
function ownView(t: Tensor): Tensor {
  const h = t.handle;
  h.refs += 1;
  return new Tensor(t.shape, t.dtype, h);
}

function ownGradient(g: Gradient): Gradient {
  return g instanceof RowSparse ? new RowSparse(ownView(g.indices), ownView(g.values), g.shape) : ownView(g);
}
