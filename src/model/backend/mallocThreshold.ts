/**
 * Raises glibc's malloc thresholds for the rest of the process, once: CPU training then stops
 * paying for fresh memory pages on every kernel.
 *
 * Why: glibc serves a block above `M_MMAP_THRESHOLD` (128 KiB at start) with its own mmap, and gives
 * free memory at the top of its heap back to the system past `M_TRIM_THRESHOLD`. Every native
 * product (nativeGemm.ts) returns its output to JavaScript as a fresh copy — onnxruntime-node's binding
 * copies the result into a new ArrayBuffer even when the output was pre-allocated — and the tfjs cpu
 * backend makes a new typed array per op. Each such block was mapped (or grown with brk), touched page
 * by page, and handed back at the next GC: on the development VM, where a fresh page costs about
 * 13 µs, a char-10m step (8 × 256) faulted 112,000 pages and spent 0.8 s of system time.
 *
 * How: glibc raises both thresholds itself when a mapped block is freed: the mmap threshold to the
 * block's size (at most 32 MiB on 64-bit) and the trim threshold to twice that (mallopt(3),
 * M_MMAP_THRESHOLD). One untouched 31.7 MB block, allocated and dropped here, is freed at the next
 * GC: afterwards blocks up to that size come from the heap and stay mapped between uses. The block is
 * never written, so it costs no page faults. Measured (load 3–4, docs/benchmarks.md#figures-behind-source-comments):
 * char-10m faults/step 112,587 → 59–76; system time 830 → 20–40 ms/step; user time 4.0 → 2.8–3.0 s.
 * Other C libraries (musl, macOS) keep their own policy; there the block is simply freed.
 */
let raised = false;

export function raiseMallocThresholds(): void {
  if (raised || process.platform !== 'linux') return;
  raised = true;
  Buffer.allocUnsafeSlow(BLOCK); // malloc'd, never touched, freed by the next GC
}

/** Just under glibc's largest dynamic mmap threshold (DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB), block header included. */
const BLOCK = 31_700_000;
