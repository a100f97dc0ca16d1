/**
 * Makes the playground's sample messages (one per verdict class) with a fresh test CA, using OpenSSL through the
 * shared fixture factory, into the given directory (the build passes dist/outlook/samples). Writes:
 *   index.json  — the list the playground shows (id, subject, from, description, file)
 *   *.eml       — the messages
 *   root.pem    — the test root, trusted inside the playground only
 *   bob.p12     — the reader's identity for the encrypted sample (password in index.json: it is a demo key)
 * Usage: node --import tsx scripts/outlook-samples.ts OUT_DIR
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOB_P12_PASSWORD, makeSampleSet } from '../test/outlook/samples';

async function main(out: string | undefined): Promise<void> {
  if (!out) throw new Error('usage: outlook-samples.ts OUT_DIR');
  mkdirSync(out, { recursive: true });
  const set = await makeSampleSet();
  const list = set.samples.map((s) => {
    const file = `${s.id}.eml`;
    writeFileSync(join(out, file), s.bytes);
    return { id: s.id, subject: s.subject, from: s.from, description: s.description, expect: s.expect, file };
  });
  writeFileSync(join(out, 'root.pem'), set.rootPem);
  copyFileSync(set.bobP12Path, join(out, 'bob.p12'));
  writeFileSync(
    join(out, 'index.json'),
    JSON.stringify({ reader: 'bob@example.com', p12: { file: 'bob.p12', password: BOB_P12_PASSWORD }, root: 'root.pem', samples: list }, null, 2) + '\n',
  );
  console.log(`outlook samples: ${list.length} messages in ${out}`);
}

main(process.argv[2]).catch((e: unknown) => {
  console.error(`outlook-samples: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
