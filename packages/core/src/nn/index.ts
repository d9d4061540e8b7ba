export { Parameter } from './parameter.js';
export { Module } from './module.js';
export { Embedding, Linear, LayerNorm, Dropout, MLP, type MLPOptions } from './layers.js';
export { normalInit, uniformInit, xavierUniform, type InitSource } from './init.js';
export {
  MultiHeadAttention, causalMask, keyPaddingMask, ATTENTION_MASKED,
  type MultiHeadAttentionOptions, type AttentionMaskOptions,
} from './attention.js';
export { TransformerEncoderLayer, type TransformerEncoderLayerOptions } from './transformer.js';
