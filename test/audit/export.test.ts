// Export: JSON Lines round-trips; CSV is RFC 4180 (checked with Python's csv module as the independent reader)
// and defuses spreadsheet formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CSV_COLUMNS, auditEventForSend, toCsv, toJsonLines, type AuditEvent } from '../../src/audit/index';

const nasty: AuditEvent = {
  ...auditEventForSend('sign', { ok: false, from: ['=HYPERLINK("http://evil")@x.com', 'a,b@example.com'], reasons: ['no-key'] }),
  messageId: '<"quoted",\r\nline@example.com>',
};
const plain = auditEventForSend('encrypt', { ok: true, from: ['bob@example.com'], recipients: 2, host: 'cli' });

test('JSON Lines: one event per line, parses back', () => {
  const text = toJsonLines([nasty, plain]);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.deepEqual(lines.map((l) => JSON.parse(l)), [nasty, plain]);
  assert.equal(toJsonLines([]), '');
});

test('CSV: quoting per RFC 4180, formula cells defused; Python csv reads it back', (t) => {
  const csv = toCsv([nasty, plain]);
  assert.ok(csv.startsWith(CSV_COLUMNS.join(',') + '\r\n'));
  assert.ok(csv.includes(`"'=hyperlink(""http://evil"")@x.com a,b@example.com"`), csv);
  const py = spawnSync('python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin, strict=True))))'], { input: csv, encoding: 'utf8' });
  if (py.error || py.status !== 0) {
    t.skip(`python3 not available (${py.error?.message ?? py.stderr}): the independent CSV check was skipped`);
    console.log('# SKIP python3 csv cross-check: python3 not available');
    return;
  }
  const rows = JSON.parse(py.stdout) as string[][];
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  assert.equal(rows[1][col('messageId')], '<"quoted",\r\nline@example.com>');
  assert.equal(rows[1][col('from')], `'=hyperlink("http://evil")@x.com a,b@example.com`);
  assert.equal(rows[1][col('verdict')], 'failed');
  assert.equal(rows[2][col('recipients')], '2');
  assert.equal(rows[2][col('id')], plain.id);
  console.log('# audit export: JSON Lines round-trip 2/2; CSV read back by Python csv 2/2 rows, formula cell defused');
});
