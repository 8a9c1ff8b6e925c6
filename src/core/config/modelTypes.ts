/** How rotary embeddings pair a head's dimensions: `half` (GPT-NeoX, Llama, Poetru) or `interleaved` (GPT-J, RoFormer); see model/nn/rope.ts. */
export type RopeStyle = 'half' | 'interleaved';
