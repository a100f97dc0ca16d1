/**
 * Every RFC 9788 Appendix C test vector is read as the RFC says (expected.json in ../shared/corpus/rfc9788):
 * the cryptographic summary, the protected header values, each field's protection state (§4.3.1), no field
 * "changed" (the outer headers of all 31 vectors are what their composer put there: §3.2 HCP output or copies),
 * the legacy display elements found and removed (§4.5.3), and headers-unprotected for the baseline messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyText, decryptMessage, parseMime, stripLegacyDisplay, verifyMessage, walkEntities } from '../../src/index';
import type { Verdict } from '../../src/index';
import { loadVectors, readVector, vectorsSkip, type VectorEntry, type Vectors } from '../support/rfc9788';

const lower = (o: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
const lf = (s: string): string => s.replace(/\r\n/g, '\n');

function expectedMode(e: VectorEntry): string | null {
  if (!e.header_protection) return null;
  return /legacy/i.test(e.header_protection) ? 'legacy-wrapped' : e.hp;
}

async function read(v: Vectors, e: VectorEntry): Promise<{ verdict: Verdict; body?: Uint8Array }> {
  const raw = readVector(v, e.file);
  if (e.kind !== 'signed+encrypted') return { verdict: await verifyMessage(raw, { anchors: v.anchors }) };
  const r = await decryptMessage(raw, v.bob, { anchors: v.anchors });
  assert.ok(r.ok, `${e.file}: ${!r.ok && r.error.message}`);
  return { verdict: r.verdict, body: r.body };
}

test('RFC 9788 test vectors: each is read as the RFC says (count printed)', { skip: vectorsSkip }, async () => {
  const v = await loadVectors();
  let checked = 0;
  let withHp = 0;
  let legacyParts = 0;
  for (const e of v.entries) {
    const { verdict, body } = await read(v, e);
    const hp = verdict.headerProtection!;
    const at = `${e.rfc_section} ${e.file}`;
    const mode = expectedMode(e);
    assert.equal(hp.mode, mode, `${at}: mode`);
    assert.equal(verdict.verdict, e.kind === 'none' ? 'unsigned' : 'trusted', `${at}: ${verdict.summary}`);
    assert.deepEqual(hp.changed, [], `${at}: nothing was changed in transit`);
    const codes = verdict.reasons.map((r) => r.code);

    if (mode === null) {
      assert.equal(hp.protected, false, at);
      assert.deepEqual(hp.headers, {}, at);
      for (const s of Object.values(e.expected.header_field_status)) assert.equal(s, 'unprotected', at);
      if (e.kind === 'none') assert.ok(!codes.includes('headers-unprotected'), at);
      else {
        const r = verdict.reasons.find((x) => x.code === 'headers-unprotected');
        assert.equal(r?.severity, 'info', at);
        assert.equal(r?.message, 'The signature covers the body, not the Subject, To or Date.', at);
      }
    } else {
      withHp++;
      assert.equal(hp.protected, true, at);
      assert.ok(codes.includes('headers-protected'), at);
      assert.ok(!codes.includes('headers-unprotected'), at);
      // Protected values are the Cryptographic Payload's (§4.5), as the RFC's reader shows them.
      for (const [k, val] of Object.entries(lower(e.expected.protected_headers!))) assert.equal(hp.headers[k], val, `${at}: ${k}`);
      assert.deepEqual({ ...hp.fieldStatus }, lower(e.expected.header_field_status), `${at}: §4.3.1 states`);
      // What a naive reader would call a difference is the composer's HCP at work: under hp="cipher" each outer
      // value is its HP-Outer record, under the legacy form the hcp_baseline "[...]".
      for (const d of e.expected.outer_header_differences) {
        if (mode === 'cipher') assert.ok(e.expected.hp_outer!.includes(`${d.field}: ${d.outer}`), `${at}: ${d.field} recorded in HP-Outer`);
        else assert.equal(d.outer, '[...]', at);
      }
    }

    // Legacy display elements: found where the RFC put them, and hidden (§4.5.3).
    const parts = e.expected.legacy_display_parts ?? [];
    assert.equal(hp.legacyDisplay.length, parts.length, `${at}: legacy display parts`);
    assert.equal(e.expected.hide_legacy_display, parts.length > 0, at);
    if (parts.length) {
      assert.ok(body, `${at}: decryptMessage gives the body`);
      const parsed = parseMime(body!);
      assert.ok(parsed.ok, at);
      const byPath = new Map([...walkEntities(parsed.root)].map((x) => [x.path, x]));
      for (const [i, path] of hp.legacyDisplay.entries()) {
        const part = byPath.get(path);
        assert.ok(part, `${at}: part ${path}`);
        const want = parts[i];
        assert.equal(part.contentType.mediaType, want.content_type, at);
        const text = lf(bodyText(part));
        const shown = lf(stripLegacyDisplay(part, text));
        assert.ok(text.includes(want.legacy_display_element), `${at}: element in part ${path}`);
        assert.ok(!shown.includes(want.legacy_display_element), `${at}: element hidden in part ${path}`);
        assert.ok(!shown.includes(`Subject: ${e.expected.protected_headers!.Subject}`), `${at}: no decorative Subject left`);
        if (want.content_type === 'text/plain') {
          assert.equal(shown, text.slice(want.legacy_display_element.length), at);
          assert.ok(shown.startsWith(want.first_line_after_removal!), at);
        } else assert.equal(shown, text.replace(want.legacy_display_element, ''), at);
        legacyParts++;
      }
    }
    checked++;
  }
  assert.equal(checked, 31);
  console.log(`# RFC 9788 vectors read as the RFC says: ${checked} of ${v.entries.length} (${withHp} with header protection, ${legacyParts} legacy display parts hidden)`);
});
