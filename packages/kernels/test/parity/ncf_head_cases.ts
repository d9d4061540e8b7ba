import { type Backend, type Tensor, tensor } from '@rec/core';
import { uniformF32 } from './fixtures.js';

/**
 * The cases of the `ncf_head` and `ncf_head_grad` parity suites: NeuMF's E = 32 with the 8-wide
 * tower top at batch 2,048 (more rows than one of native's dh blocks), GMF (no z), sizes off
 * every vector width, h given as [E + Z] instead of [E + Z, 1], and an empty z.
 */
export const NCF_HEAD_CASES: { name: string; n: number; e: number; z: number | undefined; hFlat?: boolean }[] = [
  { name: 'NeuMF, E 32, Z 8, batch 2,048', n: 2048, e: 32, z: 8 },
  { name: 'GMF, E 32, no z', n: 300, e: 32, z: undefined },
  { name: 'odd sizes, E 13, Z 5', n: 517, e: 13, z: 5 },
  { name: 'h flat, E 7, Z 3', n: 9, e: 7, z: 3, hFlat: true },
  { name: 'Z 0 (z given, empty)', n: 4, e: 6, z: 0 },
];

/** A case's [p, q, h] and, when it has one, z, seeded. */
export function ncfHeadInputs(backend: Backend | string, c: (typeof NCF_HEAD_CASES)[number]): Tensor[] {
  const width = c.e + (c.z ?? 0);
  const list = [
    tensor(uniformF32(81, c.n * c.e), [c.n, c.e], { backend }),
    tensor(uniformF32(82, c.n * c.e), [c.n, c.e], { backend }),
    tensor(uniformF32(83, width), c.hFlat ? [width] : [width, 1], { backend }),
  ];
  if (c.z !== undefined) list.push(tensor(uniformF32(84, c.n * c.z, 0, 2), [c.n, c.z], { backend }));
  return list;
}

/** A case's upstream gradient of the logits, seeded. */
export const ncfHeadUpstream = (backend: Backend | string, n: number): Tensor => tensor(uniformF32(85, n), [n], { backend });
