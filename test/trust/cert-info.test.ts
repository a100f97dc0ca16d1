// trust/cert-info.ts: what path building reads of a certificate. The authorityKeyIdentifier's keyIdentifier is read
// from the DER for the usual form and by pkijs otherwise; both must give what pkijs gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certInfo } from '../../src/trust/cert-info';
import { makePki } from '../support/pki';

const AKI = '2.5.29.35';

test('akiKeyId: the keyIdentifier pkijs reads, for every form of the extension', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice AKI', email: 'alice@example.com' });
  const id = new Uint8Array(20).map((_, i) => i + 1);
  const forms: [string, Uint8Array][] = [
    ['keyIdentifier only', new Uint8Array(new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: id }) }).toSchema().toBER(false))],
    ['empty', new Uint8Array([0x30, 0x00])],
    [
      'keyIdentifier, issuer and serial',
      new Uint8Array(
        new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: id }),
          authorityCertIssuer: [new pkijs.GeneralName({ type: 1, value: 'ca@example.com' })],
          authorityCertSerialNumber: new asn1js.Integer({ value: 7 }),
        })
          .toSchema()
          .toBER(false),
      ),
    ],
    ['issuer and serial only', new Uint8Array(new pkijs.AuthorityKeyIdentifier({ authorityCertIssuer: [new pkijs.GeneralName({ type: 1, value: 'ca@example.com' })], authorityCertSerialNumber: new asn1js.Integer({ value: 7 }) }).toSchema().toBER(false))],
    ['trailing byte', new Uint8Array([0x30, 0x03, 0x80, 0x01, 0xaa, 0x00])],
    ['truncated', new Uint8Array([0x30, 0x05, 0x80, 0x03, 0xaa])],
    ['not a SEQUENCE', new Uint8Array([0x04, 0x02, 0xaa, 0xbb])],
  ];
  for (const [what, value] of forms) {
    const cert = pkijs.Certificate.fromBER(new Uint8Array(alice.certDer));
    const ext = new pkijs.Extension({ extnID: AKI, critical: false, extnValue: value.slice().buffer });
    cert.extensions = [...(cert.extensions ?? []).filter((e) => e.extnID !== AKI), ext];
    const viaPkijs = new pkijs.Extension({ extnID: AKI, critical: false, extnValue: value.slice().buffer }).parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
    const kid = viaPkijs instanceof pkijs.AuthorityKeyIdentifier ? viaPkijs.keyIdentifier : undefined;
    const expected = kid ? Buffer.from(kid.valueBlock.valueHexView).toString('hex') : undefined;
    assert.equal(certInfo(cert).akiKeyId, expected, what);
  }
});
