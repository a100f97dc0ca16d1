/**
 * Look-alike (homograph) domains in a From address: a domain label that mixes letters of scripts whose letters
 * look alike (Latin "corp" with a Cyrillic "с"), or a label written wholly in Cyrillic or Greek letters that all
 * have Latin twins ("асе" in Cyrillic under ".example"). A CA issues such an address to whoever registered the
 * domain, so the signature is real; but mail programs show the Unicode form (Thunderbird 153 does), and the reader
 * sees ceo@corp.example. This is the rule browsers apply before they show a domain in Unicode (UTS #39 "moderately
 * restrictive", and the whole-script check of Chromium's IDN spoof checker), narrowed to the scripts that carry
 * Latin look-alikes, so internationalised domains in one script (bücher.example, пример.рф, 例え.jp) stay fine.
 *
 * Linear: each character of the domain is looked at once; the patterns below match one character each.
 */

/** Scripts with letters that pass for Latin ones (and for each other). */
const LOOK_ALIKE_SCRIPTS: [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
];

/** Lower-case Cyrillic and Greek letters that have a Latin twin (the address is lower-cased before it gets here). */
const LATIN_TWINS: Record<string, string> = {
  Cyrillic: '\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb\u0501\u051b\u051d\u04cf\u04af\u0475\u0491',
  Greek: '\u03bf\u03b1\u03bd\u03b9\u03ba\u03c4\u03c5\u03c1\u03c7\u03b5',
};

/** Label separators UTS #46 maps to '.' (IDEOGRAPHIC, FULLWIDTH and HALFWIDTH IDEOGRAPHIC FULL STOP). */
const DOTS = '.\u3002\uff0e\uff61';

function scriptOf(c: string): string | undefined {
  for (const [name, re] of LOOK_ALIKE_SCRIPTS) if (re.test(c)) return name;
  return undefined;
}

function labelsOf(domain: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of domain) {
    if (DOTS.includes(c)) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Why the domain as written (Unicode, lower-cased) could pass for another one, or undefined. ASCII domains are
 * never look-alikes here (a program shows them as they are).
 */
export function lookAlikeDomain(domain: string): string | undefined {
  let ascii = true;
  for (let i = 0; i < domain.length && ascii; i++) ascii = domain.charCodeAt(i) < 0x80;
  if (ascii) return undefined;
  const labels = labelsOf(domain);
  const tld = labels[labels.length - 1];
  for (const label of labels) {
    const scripts = new Set<string>();
    let allTwins = true;
    for (const c of label) {
      const s = scriptOf(c);
      if (!s) continue; // digits, hyphens, marks, other scripts
      scripts.add(s);
      if (!(LATIN_TWINS[s] ?? '').includes(c)) allTwins = false;
    }
    if (scripts.size > 1) {
      return `its domain mixes ${[...scripts].join(' and ')} letters in "${label}", the way look-alike domains are made`;
    }
    const [only] = [...scripts];
    if (scripts.size === 1 && only !== 'Latin' && allTwins && label !== tld && scriptOf(tld[0] ?? '') !== only) {
      return `its domain label "${label}" is written in ${only} letters that all look like Latin ones, the way look-alike domains are made`;
    }
  }
  return undefined;
}
