/** `cast`: y = x converted to another dtype (f32 → integer truncates toward zero). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray, type DType } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';

export interface CastAttrs {
  dtype: DType;
}

export const castSpec = declareKernel({ id: 'cast', family: 'elementwise', summary: 'y = x as another dtype' });

registerKernel<CastAttrs>('cast', 'js', ({ inputs: [x], attrs, backend }) => {
  const src = hostData(x);
  const out = allocArray(attrs.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = attrs.dtype === 'f32' ? src[i] : Math.trunc(src[i]);
  return hostOutput(backend, x.shape, attrs.dtype, out);
});
