/**
 * The page of `versiflow build-web` (bundled by esbuild for the browser with transformers.js and
 * Versiflow's watermark detector): a visitor types a first line and the poem streams in, generated
 * in the browser by transformers.js from the site's ONNX export (WebGPU when the browser has an
 * adapter, wasm otherwise; onnxruntime-web's wasm files are served from ./ort/, nothing from a CDN).
 * Query parameters prefill the controls (prompt, temperature, top_k, top_p, repetition_penalty,
 * max_new_tokens, device; min_new_tokens has no control) and `autorun=1` writes as soon as the model is loaded; `body[data-state]`
 * is loading → ready → writing → done (tests wait on it).
 */
import { AutoModelForCausalLM, AutoTokenizer, env, TextStreamer } from '@huggingface/transformers';
import { tokenizerFromJSON } from '../../../model/tokenizer/loadTokenizer.ts';
import { detectWatermark } from '../../../model/watermark/detect.ts';
import { keyedScheme } from '../../../model/watermark/keyed.ts';
import { lefthashScheme } from '../../../model/watermark/lefthash.ts';
import { poetruScheme } from '../../../model/watermark/poetru.ts';
import type { SiteManifest } from './siteManifest.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const setState = (s: string, status: string) => {
  document.body.dataset.state = s;
  $('status').textContent = status;
};
const CONTROLS = ['temperature', 'top_k', 'top_p', 'repetition_penalty', 'max_new_tokens'] as const;

async function main(): Promise<void> {
  const site = (await (await fetch('site.json')).json()) as SiteManifest;
  const params = new URLSearchParams(location.search);
  $('model-name').textContent = site.name;
  for (const c of CONTROLS) ($<HTMLInputElement>(c)).value = params.get(c) ?? String(site.defaults[c]);
  if (params.get('prompt') !== null) $<HTMLInputElement>('prompt').value = params.get('prompt')!;
  if (site.scheme !== 'keyed') $('key-row').hidden = true;
  $('scheme').textContent = site.scheme;

  // watermark check: Versiflow's tokenizer and detector, in the page
  const vfTokenizer = tokenizerFromJSON((await (await fetch(site.tokenizer)).json()) as Record<string, unknown>);
  $('check').addEventListener('click', () => {
    const text = $<HTMLTextAreaElement>('pasted').value;
    const out = $('verdict');
    try {
      const key = $<HTMLInputElement>('key').value;
      const scheme = site.scheme === 'keyed' ? keyedScheme({ vocabSize: site.vocabSize, key }) : site.scheme === 'lefthash' ? lefthashScheme({ vocabSize: site.vocabSize }) : poetruScheme({ vocabSize: site.vocabSize });
      const r = detectWatermark(vfTokenizer.encode(text), scheme);
      out.textContent = `${r.watermarked ? 'watermarked' : 'not watermarked'}: z = ${r.z.toFixed(2)}, ${r.green} of ${r.scored} tokens green, p = ${r.pValue.toExponential(2)} (${site.scheme})`;
      out.dataset.z = String(r.z);
    } catch (e) {
      out.textContent = `error: ${(e as Error).message}`;
    }
  });

  const wantGpu = params.get('device') !== 'wasm';
  const gpu = wantGpu && 'gpu' in navigator ? await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter().catch(() => null) : null;
  const device = gpu ? 'webgpu' : 'wasm';
  setState('loading', `loading the model (${site.dtype}, ${device})…`);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = new URL('./', location.href).pathname; // a path, not a URL: transformers.js fetches local models by path
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
  if (onnx.wasm) onnx.wasm.wasmPaths = { mjs: new URL('ort/ort-wasm-simd-threaded.asyncify.mjs', location.href).href, wasm: new URL('ort/ort-wasm-simd-threaded.asyncify.wasm', location.href).href };
  const t0 = performance.now();
  const tokenizer = await AutoTokenizer.from_pretrained(site.model);
  const model = await AutoModelForCausalLM.from_pretrained(site.model, { dtype: site.dtype, device });
  $('device').textContent = device;
  setState('ready', `ready (loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${device})`);

  const write = async () => {
    const prompt = $<HTMLInputElement>('prompt').value;
    const num = (c: (typeof CONTROLS)[number]) => Number($<HTMLInputElement>(c).value);
    const poem = $('poem');
    poem.textContent = prompt;
    $<HTMLButtonElement>('write').disabled = true;
    setState('writing', 'writing…');
    const enc = tokenizer(prompt);
    const promptLength = (enc.input_ids.dims as number[])[1];
    let streamed = '';
    const streamer = new TextStreamer(tokenizer, { skip_prompt: true, skip_special_tokens: true, callback_function: (t: string) => ((streamed += t), (poem.textContent = prompt + streamed)) });
    const temperature = num('temperature');
    const t1 = performance.now();
    const out = (await model.generate({
      ...enc,
      max_new_tokens: num('max_new_tokens'),
      do_sample: temperature > 0,
      ...(temperature > 0 ? { temperature, top_k: num('top_k'), top_p: num('top_p') } : {}),
      repetition_penalty: num('repetition_penalty'),
      ...(params.get('min_new_tokens') ? { min_new_tokens: Number(params.get('min_new_tokens')) } : {}),
      streamer,
    })) as { data: BigInt64Array };
    const ids = Array.from(out.data, Number).slice(promptLength);
    const s = (performance.now() - t1) / 1000;
    poem.textContent = prompt + tokenizer.decode(ids, { skip_special_tokens: true });
    poem.dataset.ids = JSON.stringify(ids);
    $<HTMLButtonElement>('write').disabled = false;
    setState('done', `${ids.length} tokens in ${s.toFixed(2)} s, ${(ids.length / s).toFixed(1)} tok/s on ${device}`);
  };
  $('write').addEventListener('click', () => void write().catch((e: Error) => setState('error', `error: ${e.message}`)));
  if (params.get('autorun') === '1') await write();
}

main().catch((e: Error) => setState('error', `error: ${e.message}`));
