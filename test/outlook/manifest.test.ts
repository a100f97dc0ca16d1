/**
 * Both Outlook manifests, validated offline: the XML with xmllint against Microsoft's published schemas
 * (../shared/schemas/outlook-manifest, see SOURCE.md there), the unified JSON with `office-addin-manifest
 * validate` (local for JSON). The same for the manifests the build writes for another origin (ADDIN_ORIGIN),
 * and the two manifests describe the same add-in.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, SHARED } from '../support/corpus';

const require = createRequire(import.meta.url);
const part = require('../../addin-outlook/webpack.part.cjs') as {
  manifestFor(name: string, origin: string): string;
  addinOrigin(env: Record<string, string>): string;
};

const XSD = join(SHARED, 'schemas', 'outlook-manifest', 'OfficeAppManifestV1_1.xsd');
const SRC = join(ROOT, 'manifests', 'outlook');
const tmp = mkdtempSync(join(tmpdir(), 'outlook-manifest-'));

function xmllint(file: string): { ok: boolean; out: string } {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function officeValidate(file: string): { ok: boolean; out: string } {
  const cli = join(ROOT, 'node_modules', 'office-addin-manifest', 'cli.js');
  const r = spawnSync(process.execPath, [existsSync(cli) ? cli : require.resolve('office-addin-manifest/cli.js'), 'validate', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const xsdSkip = existsSync(XSD) ? false : `schemas not found at ${XSD} (../shared is missing): skipped`;
const xmllintSkip = spawnSync('xmllint', ['--version']).status === 0 ? false : 'xmllint (Debian libxml2-utils) is not installed: skipped';
if (xsdSkip) console.log(`# SKIP ${xsdSkip}`);
if (xmllintSkip) console.log(`# SKIP ${xmllintSkip}`);

describe('manifest.xml (add-in only)', { skip: xsdSkip || xmllintSkip }, () => {
  test('validates against OfficeAppManifestV1_1.xsd', () => {
    const r = xmllint(join(SRC, 'manifest.xml'));
    assert.ok(r.ok, r.out);
  });

  test('the schema check is live: a manifest with a bad version and a bad xsi:type is rejected', () => {
    const bad = readFileSync(join(SRC, 'manifest.xml'), 'utf8').replace('<Version>0.1.0.0</Version>', '<Version>one</Version>');
    const f = join(tmp, 'bad.xml');
    writeFileSync(f, bad);
    assert.equal(xmllint(f).ok, false);
    writeFileSync(f, readFileSync(join(SRC, 'manifest.xml'), 'utf8').replace('xsi:type="ShowTaskpane"', 'xsi:type="ShowTaskPain"'));
    assert.equal(xmllint(f).ok, false);
  });

  test('the build writes it for another origin (ADDIN_ORIGIN) and it still validates', () => {
    const origin = part.addinOrigin({ ADDIN_ORIGIN: 'https://smime.example.org' });
    const text = part.manifestFor('manifest.xml', origin);
    assert.ok(!text.includes('localhost'), 'no development origin left');
    assert.ok(text.includes('https://smime.example.org/taskpane.html'));
    const f = join(tmp, 'prod.xml');
    writeFileSync(f, text);
    const r = xmllint(f);
    assert.ok(r.ok, r.out);
  });

  test('read surface with a pinnable pane, compose surface, Mailbox 1.14 for the commands, ReadItem', () => {
    const x = readFileSync(join(SRC, 'manifest.xml'), 'utf8');
    assert.match(x, /xsi:type="MessageReadCommandSurface"[\s\S]*<SupportsPinning>true<\/SupportsPinning>/);
    assert.match(x, /xsi:type="MessageComposeCommandSurface"/);
    assert.match(x, /<bt:Sets DefaultMinVersion="1\.14">\s*<bt:Set Name="Mailbox"\/>/);
    assert.match(x, /<Permissions>ReadItem<\/Permissions>/);
  });
});

describe('manifest.json (unified)', () => {
  test('office-addin-manifest validate accepts it (offline: JSON is checked against bundled schemas)', () => {
    const r = officeValidate(join(SRC, 'manifest.json'));
    assert.ok(r.ok, r.out);
  });

  test('the validator is live: a wrong type is rejected', () => {
    const f = join(tmp, 'bad.json');
    writeFileSync(f, readFileSync(join(SRC, 'manifest.json'), 'utf8').replace('"accentColor": "#0F6CBD"', '"accentColor": 5'));
    assert.equal(officeValidate(f).ok, false);
  });

  test('the build writes it for another origin and it still validates', () => {
    const text = part.manifestFor('manifest.json', 'https://smime.example.org');
    assert.ok(!text.includes('localhost'));
    assert.deepEqual(JSON.parse(text).validDomains, ['smime.example.org']);
    const f = join(tmp, 'prod.json');
    writeFileSync(f, text);
    const r = officeValidate(f);
    assert.ok(r.ok, r.out);
  });

  test('same add-in as the XML: id, pages, surfaces, Mailbox 1.14, least permission', () => {
    const j = JSON.parse(readFileSync(join(SRC, 'manifest.json'), 'utf8'));
    const x = readFileSync(join(SRC, 'manifest.xml'), 'utf8');
    assert.equal(j.id, /<Id>([^<]+)<\/Id>/.exec(x)?.[1]);
    const ext = j.extensions[0];
    assert.deepEqual(ext.requirements.capabilities, [{ name: 'Mailbox', minVersion: '1.14' }]);
    const pages = ext.runtimes.map((r: { code: { page: string } }) => r.code.page).sort();
    assert.deepEqual(pages, ['https://localhost:3000/commands.html', 'https://localhost:3000/compose.html', 'https://localhost:3000/taskpane.html']);
    assert.ok(ext.runtimes.some((r: { actions: { pinnable?: boolean }[] }) => r.actions.some((a) => a.pinnable === true)));
    assert.deepEqual(ext.ribbons.map((r: { contexts: string[] }) => r.contexts[0]).sort(), ['mailCompose', 'mailRead']);
    assert.deepEqual(j.authorization.permissions.resourceSpecific, [{ name: 'MailboxItem.Read.User', type: 'Delegated' }]);
  });
});

test('Smart Alerts in both manifests: OnMessageSend to onMessageSendHandler in commands.html/.js, SoftBlock, Mailbox 1.12; the button it opens exists', () => {
  const x = readFileSync(join(SRC, 'manifest.xml'), 'utf8');
  assert.match(x, /<Runtimes>\s*<Runtime resid="Commands\.Url">\s*<Override type="javascript" resid="CommandsJs\.Url"\/>/);
  assert.match(x, /<ExtensionPoint xsi:type="LaunchEvent">\s*<LaunchEvents>\s*<LaunchEvent Type="OnMessageSend" FunctionName="onMessageSendHandler" SendMode="SoftBlock"\/>/);
  assert.match(x, /<bt:Url id="CommandsJs\.Url" DefaultValue="https:\/\/localhost:3000\/commands\.js"\/>/);
  assert.match(x, /<Control xsi:type="Button" id="smimeComposeButton">/);
  const j = JSON.parse(readFileSync(join(SRC, 'manifest.json'), 'utf8'));
  const ext = j.extensions[0];
  assert.deepEqual(ext.autoRunEvents[0].events, [{ type: 'messageSending', actionId: 'onMessageSendHandler', options: { sendMode: 'softBlock' } }]);
  assert.deepEqual(ext.autoRunEvents[0].requirements.capabilities, [{ name: 'Mailbox', minVersion: '1.12' }]);
  const rt = ext.runtimes.find((r: { actions: { id: string }[] }) => r.actions.some((a) => a.id === 'onMessageSendHandler'));
  assert.deepEqual(rt.code, { page: 'https://localhost:3000/commands.html', script: 'https://localhost:3000/commands.js' });
  assert.equal(rt.actions[0].type, 'executeFunction');
  const controls = ext.ribbons.flatMap((r: { tabs: { groups: { controls: { id: string }[] }[] }[] }) => r.tabs.flatMap((t) => t.groups.flatMap((g) => g.controls.map((c) => c.id))));
  assert.ok(controls.includes('smimeComposeButton'));
});

test('ADDIN_ORIGIN must be an https origin', () => {
  assert.throws(() => part.addinOrigin({ ADDIN_ORIGIN: 'http://example.org' }), /https/);
  assert.throws(() => part.addinOrigin({ ADDIN_ORIGIN: 'https://example.org/app/' }), /without a path/);
  assert.equal(part.addinOrigin({}), process.env.ADDIN_ORIGIN ? new URL(process.env.ADDIN_ORIGIN).origin : 'https://localhost:3000');
});
