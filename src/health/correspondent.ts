/**
 * "About this certificate" for a received message (issue 13): what is about to go wrong with the signer's
 * certificate or a CA certificate above it, read from the verdict alone (no second chain validation). An expired
 * certificate is already a reason of the verdict; this names what still works but will not for long.
 */
import type { Policy } from '../policy/schema';
import type { CertificateDetails, Verdict } from '../verdict';
import type { HealthFinding } from './types';

const DAY = 86_400_000;

function label(d: CertificateDetails): string {
  return `'${d.commonName}' (SHA-256 ${d.sha256.slice(0, 11)}…)`;
}

export function aboutSigner(verdict: Verdict, policy: Pick<Policy, 'expiryWarningDays'>, at: Date = new Date(verdict.checkedAt)): HealthFinding[] {
  const signer = verdict.layers.flatMap((l) => l.signers).find((s) => s.certificate);
  if (!signer?.certificate) return [];
  const out: HealthFinding[] = [];
  const chain = signer.chain.length ? signer.chain : [signer.certificate];
  chain.forEach((c, i) => {
    const end = new Date(c.notAfter);
    const left = Math.floor((end.getTime() - at.getTime()) / DAY);
    if (left < 0 || left >= policy.expiryWarningDays) return;
    const when = `on ${c.notAfter.slice(0, 10)}, in ${left} day${left === 1 ? '' : 's'}`;
    out.push({
      code: 'expires-soon',
      severity: 'info',
      certificate: label(c),
      message:
        i === 0
          ? `The signer's certificate expires ${when}; their mail after that needs their new certificate.`
          : `The CA certificate ${label(c)} above it expires ${when}.`,
    });
  });
  return out;
}
