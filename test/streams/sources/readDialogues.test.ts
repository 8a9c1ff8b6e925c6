import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { type Dialogue, type DialogueCounts, readDialogues } from '../../../src/streams/sources/readDialogues.ts';

async function all(spec: string, opts: Parameters<typeof readDialogues>[1] = {}): Promise<{ rows: Dialogue[]; counts: DialogueCounts }> {
  const counts = { kept: 0, dropped: 0 };
  const rows: Dialogue[] = [];
  for await (const d of readDialogues(spec, opts, counts)) rows.push(d);
  return { rows, counts };
}

describe('readDialogues', () => {
  it('reads the shipped sample and applies the reference filter', async () => {
    const everything = await all('data/dialogues.jsonl');
    expect(everything.counts).toEqual({ kept: 110, dropped: 0 });
    expect(everything.rows.reduce((n, d) => n + d.turns.length, 0)).toBe(299);
    const { rows, counts } = await all('data/dialogues.jsonl', { filter: 'overall_score >= 6 and safety >= 8 and pii_leak == 0' });
    expect(counts).toEqual({ kept: 96, dropped: 14 });
    expect(rows.reduce((n, d) => n + d.turns.length, 0)).toBe(271);
    expect(rows[0]).toEqual({ index: 0, turns: [
      { role: 'user', content: 'Какая одежда нужна, если на улице минус десять?' },
      { role: 'assistant', content: 'Тёплая куртка, шапка, шарф и перчатки. Обувь лучше на толстой подошве, чтобы не мёрзли ноги.' },
    ] });
    // indices count rows before filtering (the split is stable whatever the filter)
    expect(rows.map((r) => r.index)).not.toContain(33);
    expect((await all('data/dialogues.jsonl', { maxDocs: 5 })).rows.length).toBe(5);
  });

  it('reads Parquet list-of-struct columns, ShareGPT turns and a named chat column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'versiflow-dialogues-'));
    const buf = parquetWriteBuffer({ columnData: [
      { name: 'messages', data: [[{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }], [{ role: 'user', content: 'x' }]] },
      { name: 'score', data: [7, 3], type: 'INT32' },
    ] });
    writeFileSync(join(dir, 'a.parquet'), Buffer.from(buf));
    const pq = await all(join(dir, 'a.parquet'), { filter: 'score > 5' });
    expect(pq.counts).toEqual({ kept: 1, dropped: 1 });
    expect(pq.rows[0].turns).toEqual([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }]);

    writeFileSync(join(dir, 'b.jsonl'), JSON.stringify({ dialog: [{ from: 'system', value: 'Be brief.' }, { from: 'human', value: 'Q' }, { from: 'gpt', value: 'A' }] }) + '\n');
    const sg = await all(join(dir, 'b.jsonl'), { chatColumn: 'dialog' });
    expect(sg.rows[0].turns).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }]);
    await expect(all(join(dir, 'b.jsonl'))).rejects.toThrow('no "conversation" or "messages" column (its columns: dialog); set chat_column');
    await expect(all(join(dir, 'b.jsonl'), { chatColumn: 'dialog', filter: 'score > 1' })).rejects.toThrow(/unknown column "score" \(the data has columns: dialog\)/);

    writeFileSync(join(dir, 'c.jsonl'), JSON.stringify({ messages: [{ role: 'robot', content: 'x' }] }) + '\n');
    await expect(all(join(dir, 'c.jsonl'))).rejects.toThrow(/c\.jsonl:1: column "messages": turn 0 has role "robot"/);
  });
});
