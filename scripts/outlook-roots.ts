/**
 * Writes the bundled Mozilla e-mail roots as JSON data for the Outlook task pane (see addin-outlook/roots-data.ts).
 * Usage: node --import tsx scripts/outlook-roots.ts OUT_FILE
 */
import { writeFileSync } from 'node:fs';
import { MOZILLA_EMAIL_ROOTS, MOZILLA_EMAIL_ROOTS_META } from '../src/trust/roots/mozilla-email-roots';

const out = process.argv[2];
if (!out) {
  console.error('usage: outlook-roots.ts OUT_FILE');
  process.exit(2);
}
writeFileSync(out, JSON.stringify({ meta: MOZILLA_EMAIL_ROOTS_META, roots: MOZILLA_EMAIL_ROOTS }));
console.log(`outlook roots: ${MOZILLA_EMAIL_ROOTS.length} roots in ${out}`);
