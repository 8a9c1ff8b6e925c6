import { ConfigError } from '../../core/errors/ConfigError.ts';

/**
 * The `filter` config key: a small expression language over a row's columns, parsed (tokenizer +
 * recursive descent) and evaluated by walking the tree; nothing is ever run as code.
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | compare
 *   compare := value (('==' | '!=' | '<' | '<=' | '>' | '>=') value | 'not'? 'in' list)?
 *   value   := NUMBER | STRING | 'true' | 'false' | 'null' | COLUMN | '(' expr ')'
 *   list    := '[' (value (',' value)*)? ']'
 *
 * Strings are '…' or "…" with backslash escapes; columns are names like `overall_score` (letters,
 * digits, `_`, `.`; `True`/`False`/`None` are accepted as the literals). Comparisons: `==`/`!=` are
 * strict (6 == "6" is false); `<`-style comparisons hold only between two numbers or two strings,
 * and are false otherwise (a missing or null value fails every comparison but `!=`). A bare value
 * in `and`/`or`/`not` counts as true unless it is false, null, missing, 0 or "".
 */
export type FilterValue = number | string | boolean | null | undefined;

export type FilterNode =
  | { readonly kind: 'literal'; readonly value: FilterValue }
  | { readonly kind: 'column'; readonly name: string; readonly pos: number }
  | { readonly kind: 'not'; readonly arg: FilterNode }
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'in'; readonly negated: boolean; readonly arg: FilterNode; readonly list: readonly FilterNode[] };

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

interface Token {
  readonly type: 'num' | 'str' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly value?: number | string;
  readonly pos: number;
}

const OPS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ','];
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null', 'True', 'False', 'None']);

function fail(expr: string, pos: number, what: string): never {
  throw new ConfigError(`filter: ${what} at position ${pos + 1} of "${expr}"\n  ${expr}\n  ${' '.repeat(pos)}^`);
}

function lex(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(expr.slice(i));
    if (num) {
      out.push({ type: 'num', text: num[0], value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < expr.length && expr[j] !== c) {
        if (expr[j] === '\\' && j + 1 < expr.length) j++;
        s += expr[j++];
      }
      if (j >= expr.length) fail(expr, i, 'unterminated string');
      out.push({ type: 'str', text: expr.slice(i, j + 1), value: s, pos: i });
      i = j + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(expr.slice(i));
    if (name) {
      out.push({ type: 'name', text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => expr.startsWith(o, i));
    if (!op) fail(expr, i, `unexpected character "${c}"${c === '=' ? ' (use == to compare)' : c === '&' || c === '|' ? ' (use and / or)' : ''}`);
    out.push({ type: 'op', text: op, pos: i });
    i += op.length;
  }
  out.push({ type: 'end', text: 'end of expression', pos: expr.length });
  return out;
}

/** Parses a filter expression; a ConfigError names the position of the first syntax error. */
export function parseFilter(expr: string): FilterNode {
  const toks = lex(expr);
  let k = 0;
  const peek = (): Token => toks[k];
  const isWord = (w: string): boolean => peek().type === 'name' && peek().text === w;
  const isOp = (o: string): boolean => peek().type === 'op' && peek().text === o;
  const expect = (o: string): void => {
    if (!isOp(o)) fail(expr, peek().pos, `expected "${o}", found ${describe(peek())}`);
    k++;
  };

  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (isWord('or')) {
      k++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): FilterNode => {
    let left = notExpr();
    while (isWord('and')) {
      k++;
      left = { kind: 'and', left, right: notExpr() };
    }
    return left;
  };
  const notExpr = (): FilterNode => {
    if (isWord('not')) {
      k++;
      return { kind: 'not', arg: notExpr() };
    }
    return compare();
  };
  const compare = (): FilterNode => {
    const left = value();
    const t = peek();
    if (t.type === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      k++;
      return { kind: 'compare', op: t.text as CompareOp, left, right: value() };
    }
    const negated = isWord('not') && toks[k + 1]?.type === 'name' && toks[k + 1].text === 'in';
    if (negated) k++;
    if (isWord('in')) {
      k++;
      return { kind: 'in', negated, arg: left, list: list() };
    }
    return left;
  };
  const list = (): FilterNode[] => {
    expect('[');
    const items: FilterNode[] = [];
    if (!isOp(']')) {
      items.push(value());
      while (isOp(',')) {
        k++;
        items.push(value());
      }
    }
    expect(']');
    return items;
  };
  const value = (): FilterNode => {
    const t = peek();
    if (t.type === 'num' || t.type === 'str') {
      k++;
      return { kind: 'literal', value: t.value! };
    }
    if (t.type === 'op' && t.text === '(') {
      k++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (t.type === 'name') {
      const lit: Record<string, FilterValue> = { true: true, True: true, false: false, False: false, null: null, None: null };
      if (t.text in lit) {
        k++;
        return { kind: 'literal', value: lit[t.text] };
      }
      if (!KEYWORDS.has(t.text)) {
        k++;
        return { kind: 'column', name: t.text, pos: t.pos };
      }
    }
    return fail(expr, t.pos, `expected a value (number, "string", true/false/null, a column or "("), found ${describe(t)}`);
  };

  if (peek().type === 'end') fail(expr, 0, 'empty expression');
  const tree = orExpr();
  if (peek().type !== 'end') fail(expr, peek().pos, `unexpected ${describe(peek())} (missing "and"/"or"?)`);
  return tree;
}

function describe(t: Token): string {
  return t.type === 'end' ? 'the end of the expression' : `"${t.text}"`;
}

/** The columns an expression reads, each once, in order of appearance (with the position of its first use). */
export function filterColumns(node: FilterNode, out = new Map<string, number>()): Map<string, number> {
  switch (node.kind) {
    case 'column':
      if (!out.has(node.name)) out.set(node.name, node.pos);
      break;
    case 'not':
      filterColumns(node.arg, out);
      break;
    case 'and':
    case 'or':
    case 'compare':
      filterColumns(node.left, out);
      filterColumns(node.right, out);
      break;
    case 'in':
      filterColumns(node.arg, out);
      for (const n of node.list) filterColumns(n, out);
      break;
  }
  return out;
}

/**
 * The filter as a predicate over rows, after checking that every column it reads is one of
 * `columns` (a ConfigError names the unknown column, its position and the known columns).
 */
export function compileFilter(expr: string, columns: readonly string[]): (row: Readonly<Record<string, unknown>>) => boolean {
  const tree = parseFilter(expr);
  for (const [name, pos] of filterColumns(tree)) {
    if (!columns.includes(name)) fail(expr, pos, `unknown column "${name}" (the data has columns: ${columns.join(', ') || 'none'})`);
  }
  return (row) => truthy(evaluate(tree, row));
}

function evaluate(node: FilterNode, row: Readonly<Record<string, unknown>>): FilterValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'column':
      return scalar(row[node.name]);
    case 'not':
      return !truthy(evaluate(node.arg, row));
    case 'and':
      return truthy(evaluate(node.left, row)) && truthy(evaluate(node.right, row));
    case 'or':
      return truthy(evaluate(node.left, row)) || truthy(evaluate(node.right, row));
    case 'compare':
      return compareValues(node.op, evaluate(node.left, row), evaluate(node.right, row));
    case 'in': {
      const v = evaluate(node.arg, row);
      const found = v !== undefined && v !== null && node.list.some((n) => evaluate(n, row) === v);
      return node.negated ? !found : found;
    }
  }
}

/** Row values as the language sees them: bigint (Parquet INT64) as number, anything else non-scalar as missing. */
function scalar(v: unknown): FilterValue {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  return undefined;
}

function compareValues(op: CompareOp, a: FilterValue, b: FilterValue): boolean {
  if (op === '==') return a !== undefined && a === b;
  if (op === '!=') return a !== b;
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function truthy(v: FilterValue): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}
