// The background's remembered intermediates (addin-thunderbird/remembered-intermediates.ts): saved to
// storage.local when something new is remembered, forgotten one by one or all at once (saved before the options
// page is answered), and reloaded from storage when the check is rebuilt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCertificates } from '../../src/certs/load';
import { INTERMEDIATES_KEY, RememberedIntermediates } from '../../addin-thunderbird/remembered-intermediates';
import { makePki } from '../support/pki';

function memoryArea() {
  const data = new Map<string, unknown>();
  let sets = 0;
  return {
    data,
    sets: () => sets,
    async get(key?: string | string[] | null) {
      return typeof key === 'string' && data.has(key) ? { [key]: structuredClone(data.get(key)) } : {};
    },
    async set(items: Record<string, unknown>) {
      sets++;
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
  };
}

test('remembered intermediates are saved, forgotten one or all, and reloaded from storage', async () => {
  const pki = await makePki();
  const second = await pki.issue({ name: 'Second Intermediate CA', ca: true, pathLen: 0, issuer: 'root' });
  const [inter, other] = [pki.intermediate, second].map((c) => loadCertificates(readFileSync(c.certPath)).certs[0]);
  const area = memoryArea();
  const logged: string[] = [];
  const r = new RememberedIntermediates(area, (l) => logged.push(l));
  await r.reload();
  assert.deepEqual(r.saved(), []);

  r.remember([inter]);
  r.remember([inter]); // nothing new: not saved again
  r.remember([other]);
  await new Promise((res) => setImmediate(res));
  assert.equal(area.sets(), 2);
  const [savedInter, savedOther] = r.saved();
  assert.deepEqual(area.data.get(INTERMEDIATES_KEY), [savedInter, savedOther]);
  assert.equal(r.certificates().length, 2);

  assert.equal(await r.forget(savedInter), true);
  assert.deepEqual(r.saved(), [savedOther]);
  assert.deepEqual(area.data.get(INTERMEDIATES_KEY), [savedOther], 'saved before forget resolves');
  assert.equal(await r.forget(savedInter), false, 'already forgotten');

  // A rebuilt check reads what was saved.
  const again = new RememberedIntermediates(area, () => undefined);
  await again.reload();
  assert.deepEqual(again.saved(), [savedOther]);

  assert.equal(await r.forget(), true);
  assert.deepEqual(r.saved(), []);
  assert.deepEqual(area.data.get(INTERMEDIATES_KEY), []);
  assert.equal(await r.forget(), false);
  // Storage cleared ("remove everything"): the reload starts empty.
  area.data.clear();
  await again.reload();
  assert.deepEqual(again.saved(), []);
  assert.deepEqual(logged, []);
});
