// Thunderbird's own S/MIME test messages (comm-central), the signed ones we can read without a key: every signed
// layer must get the same signature and chain result as OpenSSL gave per layer (expected.json), and where
// Thunderbird's own tests state an outcome without disagreeing with OpenSSL, our one word must match it.
// Encrypted ones are decrypted and checked in test/interop (keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyMessage } from '../../src/index';
import { loadCertificates } from '../../src/certs/load';
import { corpus, readExpected } from '../support/corpus';

interface OsslLayer {
  layer: string;
  sig_rc?: number;
  chain_rc?: number;
}
interface Entry {
  file: string;
  kind: string;
  openssl_layers: OsslLayer[];
  thunderbird_expected?: { enc: boolean; sig: boolean; sig_good: boolean; dave?: number } | null;
  disagreement?: boolean;
}

const c = corpus('thunderbird');

test('Thunderbird corpus: signed layers agree with OpenSSL, verdicts with Thunderbird', { skip: c.skip }, async () => {
  const dir = c.dir!;
  const anchors = loadCertificates(readFileSync(join(dir, 'mailnews/test/data/smime/TestCA.pem'))).certs;
  const entries = readExpected<Entry[]>(dir).filter(
    (e) => e.kind.startsWith('signed') && !e.openssl_layers.some((l) => l.layer === 'enveloped-data'),
  );
  assert.ok(entries.length >= 20, `only ${entries.length} signed entries`);
  const wrong: string[] = [];
  let layersChecked = 0;
  let tbChecked = 0;
  for (const e of entries) {
    const v = await verifyMessage(new Uint8Array(readFileSync(join(dir, e.file))), { anchors });
    const ossl = e.openssl_layers.filter((l) => l.sig_rc !== undefined);
    const ours = v.layers;
    if (ours.length !== ossl.length) {
      wrong.push(`${e.file}: ${ours.length} signed layers, OpenSSL saw ${ossl.length}`);
      continue;
    }
    ossl.forEach((l, i) => {
      layersChecked++;
      const s = ours[i].signers[0];
      const sigOk = s.signature === 'valid';
      if (sigOk !== (l.sig_rc === 0)) wrong.push(`${e.file} layer ${i}: signature ${s.signature}, OpenSSL rc ${l.sig_rc}`);
      if (sigOk && l.chain_rc !== undefined && (s.trust === 'trusted') !== (l.chain_rc === 0))
        wrong.push(`${e.file} layer ${i}: trust ${s.trust}, OpenSSL chain rc ${l.chain_rc}`);
    });
    const tb = e.thunderbird_expected;
    if (tb && !e.disagreement && !tb.enc) {
      tbChecked++;
      if ((v.verdict === 'trusted') !== tb.sig_good)
        wrong.push(`${e.file}: verdict ${v.verdict}, Thunderbird sig_good=${tb.sig_good} (${v.summary})`);
    }
  }
  console.log(
    `# Thunderbird corpus: ${entries.length} signed messages, ${layersChecked} layers compared with OpenSSL, ${tbChecked} verdicts compared with Thunderbird; ${wrong.length} disagreements`,
  );
  assert.deepEqual(wrong, []);
});
