// Intermediates remembered from verified messages (issue 6): a sender whose first message carried the full chain
// stays trusted when a later message leaves the intermediate out, as Thunderbird and Outlook behave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IntermediateMemory, verifyMessage } from '../../src/index';
import { loadCertificates } from '../../src/certs/load';
import { makePki, smimeSign } from '../support/pki';

const text = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nQuarterly figures attached.\r\n');

test('an intermediate seen in a trusted message completes a later message that leaves it out', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Memory', email: 'alice.memory@example.com' });
  const headers = { from: `Alice <${alice.emails[0]}>`, to: 'bob@example.org', subject: 'Figures' };
  const full = await smimeSign({ signer: alice, content: text, headers });
  const bare = await smimeSign({ signer: alice, content: text, headers, chain: [] });
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;

  const memory = new IntermediateMemory();
  const before = await verifyMessage(new Uint8Array(bare.bytes), { anchors, intermediates: memory.certificates() });
  assert.equal(before.trust, 'incomplete-chain');

  let saved: string[] = [];
  const first = await verifyMessage(new Uint8Array(full.bytes), {
    anchors,
    rememberIntermediates: (cas) => {
      if (memory.remember(cas)) saved = memory.toSaved();
    },
  });
  assert.equal(first.verdict, 'trusted');
  assert.equal(memory.size, 1, 'the intermediate, not the leaf or the root');
  assert.equal(memory.certificates()[0].subject.typesAndValues.at(-1)?.value.valueBlock.value, pki.intermediate.name);

  // A later session restores what was saved.
  const restored = IntermediateMemory.fromSaved(saved);
  const later = await verifyMessage(new Uint8Array(bare.bytes), { anchors, intermediates: restored.certificates() });
  assert.equal(later.verdict, 'trusted', later.summary);
  console.log(`# intermediate memory: incomplete-chain → trusted after one full-chain message (${restored.size} remembered)`);
});

test('nothing is remembered from a chain that is not trusted, and the memory is bounded', async () => {
  const pki = await makePki();
  const eve = await pki.issue({ name: 'Eve Memory', email: 'eve.memory@example.com' });
  const m = await smimeSign({ signer: eve, content: text, headers: { from: eve.emails[0], to: 'bob@example.org', subject: 'x' } });
  const memory = new IntermediateMemory(2);
  // No anchors: the chain is not trusted, so its CA certificates are not remembered.
  await verifyMessage(new Uint8Array(m.bytes), { anchors: [], rememberIntermediates: (c) => memory.remember(c) });
  assert.equal(memory.size, 0);
  const certs = [pki.root, pki.intermediate, eve].map((c) => loadCertificates(readFileSync(c.certPath)).certs[0]);
  memory.remember(certs);
  assert.equal(memory.size, 2, 'oldest dropped first');
  assert.deepEqual(IntermediateMemory.fromSaved(['not base64 !!', 42, memory.toSaved()[0]]).size, 1);
});

test('one remembered intermediate can be forgotten by its saved form', async () => {
  const pki = await makePki();
  const certs = [pki.root, pki.intermediate].map((c) => loadCertificates(readFileSync(c.certPath)).certs[0]);
  const memory = new IntermediateMemory();
  memory.remember(certs);
  const [first, second] = memory.toSaved();
  assert.equal(memory.forget(first), true);
  assert.deepEqual(memory.toSaved(), [second]);
  assert.equal(memory.forget(first), false);
  assert.equal(memory.forget('not a saved entry'), false);
  assert.equal(memory.size, 1);
});
