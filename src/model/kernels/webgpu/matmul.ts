/**
 * WGSL generator for a tiled fp32 batched matrix multiply, C[z] = op(A[b]) · op(B[b]):
 *   op(A) is M×K (A stored [M][K], or [K][M] when transposeA), op(B) is K×N (B stored [K][N], or
 *   [N][K] when transposeB), C is stored [z][M][N] row-major, z = split·batch + b. A batch stride of 0
 *   broadcasts a single matrix over the batch. With split-K (splits > 1) split s sums k in
 *   [s·kPer, min(K, (s+1)·kPer)) into its own slice of C, and a second kernel (reduceCode) adds the slices.
 *
 * Work split: one workgroup computes a bm×bn tile of C with (bm/tm)·(bn/tn) ≤ 256 invocations laid
 * out ty = lt / TX, tx = lt % TX (TX = bn/tn); invocation (ty, tx) owns rows q·TY·4 + ty·4 + 0..3
 * (q < tm/4) and columns q·TX·4 + tx·4 + 0..3 (q < tn/4) in vec4 register blocks, so its shared-memory
 * reads and its stores to C are vec4s and neighbouring invocations touch neighbouring vec4s.
 * K advances bk at a time through workgroup memory. Each operand keeps the layout it has in global
 * memory, so the copy is a vec4 per load when the contiguous dimension is a multiple of 4:
 *   "row-contiguous" tiles ([k][m] for transposed A, [k][n] for B): bk rows of bm (bn) floats;
 *   "k-contiguous" tiles ([m][k] for A, [n][k] for transposed B): rows of bk floats, each run of 4 rows
 *   shifted by one vec4 (address r·bk/4 + r/4 + kq) so the vec4 reads of invocations 4 rows apart
 *   fall in different banks.
 * Prefetch (default): tile t+1's global loads are issued into registers before tile t's math and
 * written to workgroup memory after the next barrier, so their latency hides behind the math.
 * Launch order: workgroups are grouped groupM row-tiles at a time so the B columns a group reads stay
 * in L2 (M = 16384 row-tiles sweeping a 640×24000 B would otherwise stream B from DRAM per row-tile).
 *
 * Subgroup variant (`enable subgroups;`, device feature `subgroups`): A bypasses workgroup memory.
 * The four lanes of a quad (subgroup lanes 4j..4j+3) share ty, so they need the same A values; each
 * lane loads a quarter of the quad's bk×tm A block straight from global memory into registers, and
 * the inner loop fetches the rest from its quad with quadBroadcast. This drops A's shared-memory
 * stores, reads and half of the tile's footprint. It needs subgroups of a size divisible by 4 that
 * are full and made of consecutive local indices in groups of 4; the kernel checks that at start
 * (any subgroup size) and otherwise the workgroup takes a plain, slow but correct path.
 * Bindings: A, B (read), C (read_write), uniforms.
 */

export interface MatMulTiles {
  /** Output tile rows × columns per workgroup. */
  readonly bm: number;
  readonly bn: number;
  /** K step staged through workgroup memory (multiple of 4; of 16 for the subgroup variant). */
  readonly bk: number;
  /** Register block rows × columns per invocation (multiples of 4). */
  readonly tm: number;
  readonly tn: number;
  /** Row tiles launched together (L2 reuse of B). */
  readonly groupM: number;
}

/** "bm x bn x bk : tm x tn" (e.g. "128x128x16:8x8") → tiles (groupM 8); throws naming the format. */
export function parseTiles(spec: string): MatMulTiles {
  const m = /^(\d+)x(\d+)x(\d+):(\d+)x(\d+)$/.exec(spec.trim());
  if (!m) throw new Error(`matmul tiles "${spec}" are not bm x bn x bk : tm x tn (e.g. 128x64x16:8x4)`);
  const [bm, bn, bk, tm, tn] = m.slice(1).map(Number);
  return { bm, bn, bk, tm, tn, groupM: 8 };
}

/** Tiles in parseTiles's format. */
export function formatTiles(t: MatMulTiles): string {
  return `${t.bm}x${t.bn}x${t.bk}:${t.tm}x${t.tn}`;
}

/** 128×64 tile, 256 invocations of 8×4 outputs, 16-deep K step: ≤ 13 KiB of workgroup memory. */
export const DEFAULT_TILES: MatMulTiles = { bm: 128, bn: 64, bk: 16, tm: 8, tn: 4, groupM: 8 };

export interface MatMulSpec {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** A's contiguous dimension (K, or M when transposed) is a multiple of 4: vec4 loads. */
  readonly vecA: boolean;
  /** B's contiguous dimension (N, or K when transposed) is a multiple of 4. */
  readonly vecB: boolean;
  /** N is a multiple of 4: vec4 stores. */
  readonly vecC: boolean;
  readonly subgroups: boolean;
  readonly tiles: MatMulTiles;
  /** Issue tile t+1's global loads before tile t's math (registers hold them meanwhile). @default true */
  readonly prefetch?: boolean;
  /**
   * Tests only, subgroup variant: 'poison' makes the plain path write NaN (proves the subgroup path
   * ran); 'force' takes the plain path always (tests it).
   */
  readonly fallback?: 'poison' | 'force';
}

const MAX_WG = 256;
/** Workgroup memory every WebGPU device offers; a device may offer more (H100/H200: 48 KiB). */
const MAX_SHARED_BYTES = 16384;

/** Pipeline key: every constant baked into the source. */
export function matmulKey(s: MatMulSpec): string {
  const t = s.tiles;
  const flags = [s.transposeA ? 'tA' : 'nA', s.transposeB ? 'tB' : 'nB', s.vecA ? 'vA' : 'sA', s.vecB ? 'vB' : 'sB', s.vecC ? 'vC' : 'sC', s.subgroups ? 'sg' : 'nosg', s.prefetch === false ? 'nopf' : 'pf'];
  if (s.fallback) flags.push(s.fallback);
  return `versiflow-matmul-${t.bm}x${t.bn}x${t.bk}-${t.tm}x${t.tn}-g${t.groupM}-${flags.join('-')}`;
}

/** Words of workgroup memory the variant uses for A and B tiles. */
export function sharedVec4s(s: MatMulSpec): { a: number; b: number } {
  const { bm, bn, bk } = s.tiles;
  const kc = (rows: number) => (rows * bk) / 4 + rows / 4;
  const a = s.subgroups ? 0 : s.transposeA ? (bk * bm) / 4 : kc(bm);
  const b = s.transposeB ? kc(bn) : (bk * bn) / 4;
  return { a, b };
}

/** Throws when the tile parameters break a rule of the generator or WebGPU's guaranteed limits. */
export function checkTiles(s: MatMulSpec, maxSharedBytes = MAX_SHARED_BYTES): void {
  const { bm, bn, bk, tm, tn, groupM } = s.tiles;
  const bad = (why: string) => {
    throw new Error(`matmul tiles ${bm}x${bn}x${bk} ${tm}x${tn}: ${why}`);
  };
  if (![bm, bn, bk, tm, tn, groupM].every((x) => Number.isInteger(x) && x > 0)) bad('all sizes must be positive integers');
  if (tm % 4 || tn % 4) bad('tm and tn must be multiples of 4');
  if (bm % tm || bn % tn) bad('bm, bn must be multiples of tm, tn');
  if (bk % 4) bad('bk must be a multiple of 4');
  const wg = (bm / tm) * (bn / tn);
  if (wg > MAX_WG) bad(`${wg} invocations per workgroup (at most ${MAX_WG})`);
  if (s.subgroups) {
    if (bk % 16) bad('the subgroup variant needs bk a multiple of 16 (each quad lane loads a vec4 of k per row)');
    if ((bn / tn) % 4) bad('the subgroup variant needs bn/tn a multiple of 4 (a quad shares its rows)');
  }
  const { a, b } = sharedVec4s(s);
  if ((a + b) * 16 + 16 > maxSharedBytes) bad(`${(a + b) * 16} bytes of workgroup memory (at most ${maxSharedBytes})`);
}

/** Invocations per workgroup. */
export function workgroupSize(t: MatMulTiles): number {
  return (t.bm / t.tm) * (t.bn / t.tn);
}

const COMP = ['x', 'y', 'z', 'w'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Generated source of the matmul kernel for `s` (call checkTiles first). */
export function matmulCode(s: MatMulSpec): string {
  const { bm, bn, bk, tm, tn, groupM } = s.tiles;
  const TX = bn / tn;
  const TY = bm / tm;
  const WG = TX * TY;
  const sh = sharedVec4s(s);
  const vt = (v: boolean) => (v ? 'vec4<f32>' : 'f32');
  const accs = range(tm).flatMap((i) => range(tn / 4).map((q) => `acc${i}_${q}`));
  // tile rows/columns of this invocation's register block (local to the tile)
  const rowOf = (i: number) => `${Math.floor(i / 4) * TY * 4 + (i % 4)}u + ty4`;
  const colOf = (q: number) => `${q * TX * 4}u + tx4`;

  // ---- global → registers → workgroup copies ----------------------------------------------------
  /**
   * Copies the tile [rows of the operand] × [bk of K] into `dst`, in two halves: `load` reads global
   * memory into registers p<name><r> (issued a tile ahead when prefetching), `store` writes them to
   * workgroup memory.
   *   kContig: the operand is stored [row][k] (row stride K); else [k][row] (row stride `ext`).
   *   ext: the row extent uniform (M or N); base: first row of the tile; off: batch offset (elements).
   */
  const copyTile = (name: string, dst: string, src: string, rows: number, kContig: boolean, vec: boolean, ext: string, base: string, off: string) => {
    const count = vec ? (rows * bk) / 4 : rows * bk;
    const iters = Math.ceil(count / WG);
    const decl: string[] = [];
    const load: string[] = [];
    const store: string[] = [];
    for (let r = 0; r < iters; r++) {
      const reg = `p${name}${r}`;
      const idx = `let idx = ${r * WG}u + lt;`;
      const guard = (r + 1) * WG > count ? `if (idx < ${count}u) ` : '';
      decl.push(`  var ${reg} = ${vec ? 'vec4<f32>(0.0)' : '0.0'};`);
      let where: string; // row/k of this copy, shared by the load and the store
      let get: string;
      let put: string;
      if (kContig && vec) {
        where = `let row = idx / ${bk / 4}u; let kq = idx % ${bk / 4}u;`;
        get = `let gr = ${base} + row; let gk = k0 + kq * 4u; ${reg} = vec4<f32>(0.0); if (gr < ${ext} && gk < kEnd) { ${reg} = ${src}[(${off} + gr * u.K + gk) >> 2u]; }`;
        put = `${dst}[row * ${bk / 4}u + (row >> 2u) + kq] = ${reg};`;
      } else if (kContig) {
        where = `let row = idx / ${bk}u; let kk = idx % ${bk}u;`;
        get = `let gr = ${base} + row; let gk = k0 + kk; ${reg} = 0.0; if (gr < ${ext} && gk < kEnd) { ${reg} = ${src}[${off} + gr * u.K + gk]; }`;
        put = `${dst}[row * ${bk / 4}u + (row >> 2u) + (kk >> 2u)][kk & 3u] = ${reg};`;
      } else if (vec) {
        where = `let k = idx / ${rows / 4}u; let rq = idx % ${rows / 4}u;`;
        get = `let gr = ${base} + rq * 4u; let gk = k0 + k; ${reg} = vec4<f32>(0.0); if (gr < ${ext} && gk < kEnd) { ${reg} = ${src}[(${off} + gk * ${ext} + gr) >> 2u]; }`;
        put = `${dst}[idx] = ${reg};`;
      } else {
        where = `let k = idx / ${rows}u; let row = idx % ${rows}u;`;
        get = `let gr = ${base} + row; let gk = k0 + k; ${reg} = 0.0; if (gr < ${ext} && gk < kEnd) { ${reg} = ${src}[${off} + gk * ${ext} + gr]; }`;
        put = `${dst}[k * ${rows / 4}u + (row >> 2u)][row & 3u] = ${reg};`;
      }
      load.push(`    { ${idx} ${guard}{ ${where} ${get} } }`);
      store.push(`    { ${idx} ${guard}{ ${where} ${put} } }`);
    }
    return { decl: decl.join('\n'), load: load.join('\n'), store: store.join('\n') };
  };

  // ---- subgroup variant: this lane's share of the quad's A block, into registers ----------------
  // not transposed: raI_S = A[row i][k0 + 16·S + 4·role .. +4]   (S < bk/16)
  // transposed:     raS_Q = A[k0 + role + 4·S][rows of quad Q .. +4]  (S < bk/4, Q < tm/4)
  // loaded into pra… (the prefetch registers), copied to ra… where the plain variant stores to As
  const regA: string[] = [];
  const regADecl: string[] = [];
  const regANames: string[] = [];
  if (s.subgroups) {
    const load4 = (name: string, vecIdx: string, scalarIdx: (c: number) => string, inRange: string, inRangeC: (c: number) => string) => {
      regANames.push(name);
      regADecl.push(`  var ${name} = vec4<f32>(0.0);`, `  var p${name} = vec4<f32>(0.0);`);
      const reg = `p${name}`;
      if (s.vecA) return `    ${reg} = vec4<f32>(0.0); if (${inRange}) { ${reg} = A[${vecIdx}]; }`;
      return range(4)
        .map((c) => `    ${reg}.${COMP[c]} = 0.0; if (${inRangeC(c)}) { ${reg}.${COMP[c]} = A[${scalarIdx(c)}]; }`)
        .join('\n');
    };
    if (!s.transposeA) {
      for (let i = 0; i < tm; i++) {
        for (let S = 0; S < bk / 16; S++) {
          const reg = `ra${i}_${S}`;
          const gr = `(m0 + ${rowOf(i)})`;
          const gk = `(k0 + ${16 * S}u + role4)`;
          regA.push(
            load4(
              reg,
              `(aOff + ${gr} * u.K + ${gk}) >> 2u`,
              (c) => `aOff + ${gr} * u.K + ${gk} + ${c}u`,
              `${gr} < u.M && ${gk} < kEnd`,
              (c) => `${gr} < u.M && ${gk} + ${c}u < kEnd`,
            ),
          );
        }
      }
    } else {
      for (let S = 0; S < bk / 4; S++) {
        for (let Q = 0; Q < tm / 4; Q++) {
          const reg = `ra${S}_${Q}`;
          const gr = `(m0 + ${rowOf(4 * Q)})`;
          const gk = `(k0 + ${4 * S}u + role)`;
          regA.push(
            load4(
              reg,
              `(aOff + ${gk} * u.M + ${gr}) >> 2u`,
              (c) => `aOff + ${gk} * u.M + ${gr} + ${c}u`,
              `${gr} < u.M && ${gk} < kEnd`,
              (c) => `${gr} + ${c}u < u.M && ${gk} < kEnd`,
            ),
          );
        }
      }
    }
  }

  // ---- inner product over one bk step -----------------------------------------------------------
  const inner: string[] = [];
  for (let kq = 0; kq < bk / 4; kq++) {
    inner.push('      {');
    // operands fetched once per 4 k (vec4 along k)
    if (!s.transposeA) {
      for (let i = 0; i < tm; i++) {
        const v = s.subgroups ? `quadBroadcast(ra${i}_${Math.floor(kq / 4)}, ${kq % 4}u)` : `As[(${rowOf(i)}) * ${bk / 4}u + ((${rowOf(i)}) >> 2u) + ${kq}u]`;
        inner.push(`      let a${i} = ${v};`);
      }
    }
    if (s.transposeB) {
      for (let j = 0; j < tn; j++) {
        const c = `${Math.floor(j / 4) * TX * 4 + (j % 4)}u + tx4`;
        inner.push(`      let b${j} = Bs[(${c}) * ${bk / 4}u + ((${c}) >> 2u) + ${kq}u];`);
      }
    }
    for (let kk = 0; kk < 4; kk++) {
      const k = kq * 4 + kk;
      const sfx = `_${kk}`;
      if (s.transposeA) {
        for (let Q = 0; Q < tm / 4; Q++) {
          const v = s.subgroups ? `quadBroadcast(ra${kq}_${Q}, ${kk}u)` : `As[${(k * bm) / 4 + Q * TY}u + ty]`;
          inner.push(`      let at${Q}${sfx} = ${v};`);
        }
      }
      if (!s.transposeB) {
        for (let q = 0; q < tn / 4; q++) inner.push(`      let bt${q}${sfx} = Bs[${(k * bn) / 4 + q * TX}u + tx];`);
      }
      const aval = (i: number) => (s.transposeA ? `at${Math.floor(i / 4)}${sfx}.${COMP[i % 4]}` : `a${i}.${COMP[kk]}`);
      const bvec = (q: number) => (s.transposeB ? `vec4<f32>(${range(4).map((c) => `b${4 * q + c}.${COMP[kk]}`).join(', ')})` : `bt${q}${sfx}`);
      for (let i = 0; i < tm; i++) for (let q = 0; q < tn / 4; q++) inner.push(`      acc${i}_${q} = fma(vec4<f32>(${aval(i)}), ${bvec(q)}, acc${i}_${q});`);
    }
    inner.push('      }');
  }

  // Tile t's loads go to registers; with prefetch the loads of tile t+1 are issued before the math of
  // tile t (their latency hides behind it) and stored to workgroup memory after the next barrier.
  const b = copyTile('B', 'Bs', 'B', bn, s.transposeB, s.vecB, 'u.N', 'n0', 'bOff');
  const a = s.subgroups
    ? { decl: regADecl.join('\n'), load: regA.join('\n'), store: regANames.map((r) => `    ${r} = p${r};`).join('\n') }
    : copyTile('A', 'As', 'A', bm, !s.transposeA, s.vecA, 'u.M', 'm0', 'aOff');
  const loads = `${b.load}\n${a.load}`;
  const toShared = `${b.store}\n${a.store}`;
  const math = `    {\n${inner.join('\n')}\n    }`;
  const fastPath = s.prefetch !== false
    ? `
  let nTiles = (kEnd - kBegin + ${bk - 1}u) / ${bk}u;
${b.decl}
${a.decl}
  {
    let k0 = kBegin;
${loads}
  }
  for (var t = 0u; t < nTiles; t++) {
${toShared}
    workgroupBarrier();
    if (t + 1u < nTiles) {
      let k0 = kBegin + (t + 1u) * ${bk}u;
${loads}
    }
${math}
    workgroupBarrier();
  }`
    : `
  let nTiles = (kEnd - kBegin + ${bk - 1}u) / ${bk}u;
${b.decl}
${a.decl}
  for (var t = 0u; t < nTiles; t++) {
    let k0 = kBegin + t * ${bk}u;
${loads}
${toShared}
    workgroupBarrier();
${math}
    workgroupBarrier();
  }`;

  // ---- the plain path of the subgroup variant (subgroups not as assumed) ------------------------
  const getA = s.transposeA ? `aOff + k * u.M + m` : `aOff + m * u.K + k`;
  const getB = s.transposeB ? `bOff + n * u.K + k` : `bOff + k * u.N + n`;
  const elem = (arr: string, vec: boolean, idx: string) => (vec ? `${arr}[(${idx}) >> 2u][(${idx}) & 3u]` : `${arr}[${idx}]`);
  const helpers = `
fn getA(aOff: u32, m: u32, k: u32) -> f32 { return ${elem('A', s.vecA, getA)}; }
fn getB(bOff: u32, k: u32, n: u32) -> f32 { return ${elem('B', s.vecB, getB)}; }`;
  const plainPath = s.fallback === 'poison'
    ? accs.map((a) => `    ${a} = vec4<f32>(bitcast<f32>(u.M | 0x7fc00000u));`).join('\n')
    : range(tm)
        .map((i) => {
          const cols = range(tn / 4).map((q) => `      let n${q} = min(n0 + ${colOf(q)}, u.N - 1u);`);
          const fmas = range(tn / 4).map((q) => `acc${i}_${q} = fma(vec4<f32>(av), vec4<f32>(${range(4).map((c) => `getB(bOff, k, min(n${q} + ${c}u, u.N - 1u))`).join(', ')}), acc${i}_${q});`);
          return `    {\n      let m = min(m0 + ${rowOf(i)}, u.M - 1u);\n${cols.join('\n')}\n      for (var k = kBegin; k < kEnd; k++) { let av = getA(aOff, m, k); ${fmas.join(' ')} }\n    }`;
        })
        .join('\n');

  // ---- stores ----------------------------------------------------------------------------------------
  const stores = range(tm)
    .map((i) => {
      const per = range(tn / 4).map((q) => {
        const a = `acc${i}_${q}`;
        if (s.vecC) return `      { let n = n0 + ${colOf(q)}; if (n < u.N) { C[(cOff + m * u.N + n) >> 2u] = ${a}; } }`;
        return `      { let n = n0 + ${colOf(q)}; ${range(4).map((c) => `if (n + ${c}u < u.N) { C[cOff + m * u.N + n + ${c}u] = ${a}.${COMP[c]}; }`).join(' ')} }`;
      });
      return `    { let m = m0 + ${rowOf(i)}; if (m < u.M) {\n${per.join('\n')}\n    } }`;
    })
    .join('\n');

  const sgParams = s.subgroups ? `, @builtin(subgroup_invocation_id) sid: u32, @builtin(subgroup_size) sgSize: u32` : '';
  const sgCheck = s.subgroups
    ? `
  // The quad (lanes 4j..4j+3) must be full and share ty; any subgroup that is not sends the whole
  // workgroup down the plain path.
  let role = sid & 3u;
  let role4 = role * 4u;
  // (subgroup operations all run before any branch: they must stay in uniform control flow)
  let lanes = subgroupAdd(1u);
  let q0 = quadBroadcast(ty, 0u); let q1 = quadBroadcast(ty, 1u); let q2 = quadBroadcast(ty, 2u); let q3 = quadBroadcast(ty, 3u);
  let ok = (sgSize % 4u == 0u) & (lanes == sgSize) & (q0 == ty) & (q1 == ty) & (q2 == ty) & (q3 == ty)${s.fallback === 'force' ? ' & false' : ''};
  if (!ok) { atomicOr(&sgBadAny, 1u); }
  workgroupBarrier();
  if (lt == 0u) { sgBad = atomicLoad(&sgBadAny); }
  let bad = workgroupUniformLoad(&sgBad);
  if (bad == 0u) {${fastPath.replace(/\n/g, '\n  ')}
  } else {
${plainPath}
  }`
    : fastPath;

  return /* wgsl */ `${s.subgroups ? 'enable subgroups;\n' : ''}
struct U { M: u32, N: u32, K: u32, tilesM: u32, tilesN: u32, batch: u32, total: u32, aStride: u32, bStride: u32, kPer: u32 };
@group(0) @binding(0) var<storage, read> A: array<${vt(s.vecA)}>;
@group(0) @binding(1) var<storage, read> B: array<${vt(s.vecB)}>;
@group(0) @binding(2) var<storage, read_write> C: array<${vt(s.vecC)}>;
@group(0) @binding(3) var<uniform> u: U;
${sh.a ? `var<workgroup> As: array<vec4<f32>, ${sh.a}>;` : ''}
var<workgroup> Bs: array<vec4<f32>, ${sh.b}>;
${s.subgroups ? 'var<workgroup> sgBadAny: atomic<u32>;\nvar<workgroup> sgBad: u32;' : ''}
${s.subgroups ? helpers : ''}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lt: u32${sgParams}) {
  let lin = wid.y * nwg.x + wid.x;
  if (lin >= u.total) { return; }
  // which tile: z = split·batch + b, then groups of ${groupM} row tiles sweep the column tiles
  let perZ = u.tilesM * u.tilesN;
  let z = lin / perZ;
  let bat = z % u.batch;
  let split = z / u.batch;
  let pid = lin % perZ;
  let perGroup = ${groupM}u * u.tilesN;
  let firstM = (pid / perGroup) * ${groupM}u;
  let groupRows = min(u.tilesM - firstM, ${groupM}u);
  let inGroup = pid % perGroup;
  let m0 = (firstM + inGroup % groupRows) * ${bm}u;
  let n0 = (inGroup / groupRows) * ${bn}u;
  let kBegin = split * u.kPer;
  let kEnd = min(u.K, kBegin + u.kPer);
  let aOff = bat * u.aStride;
  let bOff = bat * u.bStride;
  let cOff = z * u.M * u.N;
  let ty = lt / ${TX}u;
  let tx = lt % ${TX}u;
  let ty4 = ty * 4u;
  let tx4 = tx * 4u;
${accs.map((a) => `  var ${a} = vec4<f32>(0.0);`).join('\n')}
${sgCheck}
${stores}
}`;
}

/** Sums `splits` slices of `len` floats (vec4 when len % 4 == 0): dst[i] = Σ_s part[s·len + i]. */
export function reduceCode(vec: boolean): string {
  const T = vec ? 'vec4<f32>' : 'f32';
  return /* wgsl */ `
struct U { len: u32, splits: u32 };
@group(0) @binding(0) var<storage, read> part: array<${T}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${T}>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + li;
  if (i >= u.len) { return; }
  var s = part[i];
  for (var k = 1u; k < u.splits; k++) { s += part[k * u.len + i]; }
  dst[i] = s;
}`;
}
