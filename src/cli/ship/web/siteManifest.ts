/** site.json, written by `versiflow build-web` beside index.html: what the page loads and its defaults. */
export interface SiteManifest {
  readonly format: 'versiflow-site';
  readonly version: 1;
  /** The checkpoint's name (its run directory and step), shown on the page. */
  readonly name: string;
  /** transformers.js's dtype of the exported weights (fp32 → model.onnx, fp16 → model_fp16.onnx, q8 → model_quantized.onnx). */
  readonly dtype: 'fp32' | 'fp16' | 'q8';
  /** The model folder under the site (the ONNX export). */
  readonly model: string;
  /** Versiflow's tokenizer JSON for the watermark check (the page's detector tokenizes as Versiflow does). */
  readonly tokenizer: string;
  readonly vocabSize: number;
  /** The watermark scheme the check uses (the run's watermark_eval_scheme; poetru when it had none); keyed asks the visitor for the key. */
  readonly scheme: 'poetru' | 'keyed' | 'lefthash';
  /** Sampling defaults (recommended_decoding.json when the checkpoint has one). */
  readonly defaults: { readonly temperature: number; readonly top_k: number; readonly top_p: number; readonly repetition_penalty: number; readonly max_new_tokens: number };
}
