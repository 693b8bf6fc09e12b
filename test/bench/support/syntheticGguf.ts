/**
 * Writes a llama-architecture GGUF with a real tokenizer and deterministic pseudo-random Q8_0 weights. llama.cpp
 * then does all the real work (chat template, tokenizing, KV cache, matmuls, sampling, detokenizing), so the
 * benchmark measures real tokens at a realistic pace; the text itself is meaningless. The tokenizer comes from a
 * vocab-only GGUF (llama.cpp ships several in its source, which node-llama-cpp bundles).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** The shape of the network; the medium one runs at roughly the speed of a real ~0.2 B model on a CPU core. */
export interface SyntheticShape {
  embedding: number;
  layers: number;
  feedForward: number;
  heads: number;
  kvHeads: number;
  contextLength: number;
}

export const SHAPES = {
  small: { embedding: 512, layers: 8, feedForward: 1536, heads: 8, kvHeads: 8, contextLength: 4096 },
  medium: { embedding: 1024, layers: 12, feedForward: 2816, heads: 16, kvHeads: 16, contextLength: 4096 },
} satisfies Record<string, SyntheticShape>;

// GGUF value types and ggml tensor types used here (from the GGUF v3 specification).
const T_UINT32 = 4;
const T_FLOAT32 = 6;
const T_STRING = 8;
const T_ARRAY = 9;
const GGML_F32 = 0;
const GGML_Q8_0 = 8;
const FILE_TYPE_MOSTLY_Q8_0 = 7;
const ALIGNMENT = 32;
const Q8_BLOCK = 32;
const Q8_BLOCK_BYTES = 34; // an f16 scale, then 32 int8 values
/** 2^-12 as an IEEE half: int8 values in ±127 become weights within ±0.031 (std ≈ 0.018). */
const HALF_2_POW_MINUS_12 = 0x0c00;

/** Reads a vocab GGUF's `tokenizer.*` key/values as raw bytes (copied verbatim) and the vocabulary size. */
export function readTokenizer(vocabPath: string): { entries: Buffer[]; vocabSize: number } {
  const buf = readFileSync(vocabPath);
  if (buf.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${vocabPath} is not a GGUF file`);
  let at = 16; // magic, version (u32), tensor count (u64)
  const kvCount = Number(buf.readBigUInt64LE(at));
  at += 8;
  const entries: Buffer[] = [];
  let vocabSize = 0;
  for (let i = 0; i < kvCount; i++) {
    const start = at;
    const keyLength = Number(buf.readBigUInt64LE(at));
    const key = buf.toString('utf8', at + 8, at + 8 + keyLength);
    at += 8 + keyLength;
    const type = buf.readUInt32LE(at);
    at += 4;
    if (key === 'tokenizer.ggml.tokens') vocabSize = Number(buf.readBigUInt64LE(at + 4));
    at = skipValue(buf, at, type);
    if (key.startsWith('tokenizer.')) entries.push(buf.subarray(start, at));
  }
  if (vocabSize === 0) throw new Error(`${vocabPath} has no tokenizer.ggml.tokens`);
  return { entries, vocabSize };
}

function skipValue(buf: Buffer, at: number, type: number): number {
  const fixed: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  if (type in fixed) return at + fixed[type];
  if (type === T_STRING) return at + 8 + Number(buf.readBigUInt64LE(at));
  if (type === T_ARRAY) {
    const itemType = buf.readUInt32LE(at);
    const count = Number(buf.readBigUInt64LE(at + 4));
    at += 12;
    if (itemType in fixed) return at + count * fixed[itemType];
    for (let i = 0; i < count; i++) at = skipValue(buf, at, itemType);
    return at;
  }
  throw new Error(`Unknown GGUF value type ${type}`);
}

interface TensorSpec {
  name: string;
  dims: number[];
  type: number;
}

/** Writes the model to `outPath` and returns its size in bytes. Same inputs, same bytes. */
export function writeSyntheticModel(outPath: string, vocabPath: string, shape: SyntheticShape, name = 'synthetic'): number {
  const { entries, vocabSize } = readTokenizer(vocabPath);
  const e = shape.embedding;
  const kv = (e / shape.heads) * shape.kvHeads;
  const tensors: TensorSpec[] = [
    { name: 'token_embd.weight', dims: [e, vocabSize], type: GGML_Q8_0 },
    { name: 'output_norm.weight', dims: [e], type: GGML_F32 },
  ];
  for (let i = 0; i < shape.layers; i++) {
    const q8 = (n: string, dims: number[]) => tensors.push({ name: `blk.${i}.${n}.weight`, dims, type: GGML_Q8_0 });
    tensors.push({ name: `blk.${i}.attn_norm.weight`, dims: [e], type: GGML_F32 });
    q8('attn_q', [e, e]);
    q8('attn_k', [e, kv]);
    q8('attn_v', [e, kv]);
    q8('attn_output', [e, e]);
    tensors.push({ name: `blk.${i}.ffn_norm.weight`, dims: [e], type: GGML_F32 });
    q8('ffn_gate', [e, shape.feedForward]);
    q8('ffn_up', [e, shape.feedForward]);
    q8('ffn_down', [shape.feedForward, e]);
  }
  const metadata = [
    kvString('general.architecture', 'llama'),
    kvString('general.name', name),
    kvU32('general.file_type', FILE_TYPE_MOSTLY_Q8_0),
    kvU32('llama.vocab_size', vocabSize),
    kvU32('llama.context_length', shape.contextLength),
    kvU32('llama.embedding_length', e),
    kvU32('llama.block_count', shape.layers),
    kvU32('llama.feed_forward_length', shape.feedForward),
    kvU32('llama.attention.head_count', shape.heads),
    kvU32('llama.attention.head_count_kv', shape.kvHeads),
    kvU32('llama.rope.dimension_count', e / shape.heads),
    kvF32('llama.attention.layer_norm_rms_epsilon', 1e-5),
    kvF32('llama.rope.freq_base', 10000),
    ...entries,
  ];
  const infos: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    const head = Buffer.alloc(4 + t.dims.length * 8 + 4 + 8);
    head.writeUInt32LE(t.dims.length, 0);
    t.dims.forEach((d, j) => head.writeBigUInt64LE(BigInt(d), 4 + j * 8));
    head.writeUInt32LE(t.type, 4 + t.dims.length * 8);
    head.writeBigUInt64LE(BigInt(offset), 8 + t.dims.length * 8);
    infos.push(Buffer.concat([str(t.name), head]));
    offset = align(offset + tensorBytes(t));
  }
  const header = Buffer.alloc(24);
  header.write('GGUF', 0, 'latin1');
  header.writeUInt32LE(3, 4);
  header.writeBigUInt64LE(BigInt(tensors.length), 8);
  header.writeBigUInt64LE(BigInt(metadata.length), 16);
  const preamble = Buffer.concat([header, ...metadata, ...infos]);
  const fd = openSync(outPath, 'w');
  try {
    writeSync(fd, preamble);
    writeSync(fd, Buffer.alloc(align(preamble.length) - preamble.length));
    const random = xorshift(0x9e3779b9);
    for (const t of tensors) {
      const bytes = tensorBytes(t);
      writeSync(fd, t.type === GGML_F32 ? ones(bytes / 4) : q8Blocks(bytes / Q8_BLOCK_BYTES, random));
      writeSync(fd, Buffer.alloc(align(bytes) - bytes));
    }
  } finally {
    closeSync(fd);
  }
  return align(preamble.length) + offset;
}

function tensorBytes(t: TensorSpec): number {
  const count = t.dims.reduce((a, b) => a * b, 1);
  return t.type === GGML_F32 ? count * 4 : (count / Q8_BLOCK) * Q8_BLOCK_BYTES;
}

function q8Blocks(blocks: number, random: () => number): Buffer {
  const out = Buffer.alloc(blocks * Q8_BLOCK_BYTES);
  for (let b = 0; b < blocks; b++) {
    const at = b * Q8_BLOCK_BYTES;
    out.writeUInt16LE(HALF_2_POW_MINUS_12, at);
    for (let i = 0; i < Q8_BLOCK; i += 4) {
      const r = random();
      // Four signed bytes per draw; -128 is avoided so the range stays symmetric.
      for (let k = 0; k < 4; k++) out.writeInt8(Math.max(-127, ((r >>> (k * 8)) & 0xff) - 128), at + 2 + i + k);
    }
  }
  return out;
}

function ones(count: number): Buffer {
  const out = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) out.writeFloatLE(1, i * 4);
  return out;
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

function align(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([len, bytes]);
}

function kvString(key: string, value: string): Buffer {
  return Buffer.concat([str(key), u32(T_STRING), str(value)]);
}

function kvU32(key: string, value: number): Buffer {
  return Buffer.concat([str(key), u32(T_UINT32), u32(value)]);
}

function kvF32(key: string, value: number): Buffer {
  const v = Buffer.alloc(4);
  v.writeFloatLE(value);
  return Buffer.concat([str(key), u32(T_FLOAT32), v]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
