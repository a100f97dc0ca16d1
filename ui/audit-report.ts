/**
 * The audit summary on both hosts' settings pages (Thunderbird options, Outlook Settings), the same numbers as
 * `smime-addin audit --report` (src/audit/report.ts): received messages per verdict per day as a small stacked bar
 * chart, and the top verdicts, rules, sender domains, signer CAs and reasons over the chosen period.
 *
 * The chart is inline SVG built here with createElementNS: no charting library, no remote code, nothing fetched.
 * Colours and patterns come from classes in ui/audit-report.css (no style attributes, no inline script), so the
 * pages' Content-Security-Policy (style-src/script-src 'self') holds. Verdicts differ by pattern and stacking order
 * as well as colour, each bar has a <title> with its numbers, and the tables carry every figure in text.
 */
import type { AuditReport, CountTable, ReportOptions } from '../src/index';
import { REPORT_VERDICTS } from '../src/index';
import { visibleText } from '../src/trust/names';
import { append, clear, h } from './dom';

const SVG_NS = 'http://www.w3.org/2000/svg';
const PERIODS: { days: number | null; label: string }[] = [
  { days: 7, label: 'last 7 days' },
  { days: 30, label: 'last 30 days' },
  { days: 90, label: 'last 90 days' },
  { days: null, label: 'all kept events' },
];
const DAY_MS = 86_400_000;
const TOP = 5;

export interface ReportSource {
  report(opts?: ReportOptions): Promise<AuditReport>;
}

function svg<K extends keyof SVGElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
  return el;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The verdicts-per-day chart: one stacked bar per day, oldest left. */
export function verdictChart(doc: Document, r: AuditReport): SVGSVGElement {
  const days = r.perDay;
  const W = 320;
  const H = 120;
  const left = 28;
  const bottom = 18;
  const top = 8;
  const plotW = W - left - 4;
  const plotH = H - top - bottom;
  const totals = days.map((d) => Object.values(d.verdicts).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const label = days.length
    ? `Received messages per day by verdict, ${days[0].day} to ${days[days.length - 1].day}: ` +
      REPORT_VERDICTS.map((v) => `${r.verdicts.rows.find((x) => x.key === v)?.count ?? 0} ${v}`).join(', ')
    : 'No received messages in this period';
  const chart = svg(doc, 'svg', { viewBox: `0 0 ${W} ${H}`, class: 'ar-chart', role: 'img', 'aria-label': label, id: 'audit-chart' });
  chart.appendChild(svg(doc, 'title', {}, label));
  // Hatching for 'invalid' so it is told apart from 'trusted' without colour.
  const defs = svg(doc, 'defs', {});
  const hatch = svg(doc, 'pattern', { id: 'ar-hatch', width: 4, height: 4, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  hatch.appendChild(svg(doc, 'rect', { width: 4, height: 4, class: 'ar-hatch-bg' }));
  hatch.appendChild(svg(doc, 'line', { x1: 0, y1: 0, x2: 0, y2: 4, class: 'ar-hatch-line' }));
  defs.appendChild(hatch);
  chart.appendChild(defs);
  // Axis: baseline, the maximum, and the first and last day.
  chart.appendChild(svg(doc, 'line', { x1: left, y1: top + plotH, x2: W - 4, y2: top + plotH, class: 'ar-axis' }));
  chart.appendChild(svg(doc, 'line', { x1: left, y1: top, x2: W - 4, y2: top, class: 'ar-grid' }));
  chart.appendChild(svg(doc, 'text', { x: left - 4, y: top + 4, class: 'ar-tick ar-tick--y' }, String(max)));
  chart.appendChild(svg(doc, 'text', { x: left - 4, y: top + plotH, class: 'ar-tick ar-tick--y' }, '0'));
  if (days.length) {
    chart.appendChild(svg(doc, 'text', { x: left, y: H - 4, class: 'ar-tick' }, days[0].day.slice(5)));
    if (days.length > 1) chart.appendChild(svg(doc, 'text', { x: W - 4, y: H - 4, class: 'ar-tick ar-tick--end' }, days[days.length - 1].day.slice(5)));
  }
  const slot = days.length ? plotW / days.length : plotW;
  const barW = Math.max(1, Math.min(24, slot * 0.75));
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = top + plotH;
    const g = svg(doc, 'g', { class: 'ar-day', 'data-day': d.day });
    const parts = REPORT_VERDICTS.filter((v) => d.verdicts[v]).map((v) => `${d.verdicts[v]} ${v}`);
    // Verdict words outside the known five (from a newer version) still count in the bar's height.
    const known = new Set<string>(REPORT_VERDICTS);
    const other = Object.entries(d.verdicts).filter(([k]) => !known.has(k)).reduce((a, [, n]) => a + n, 0);
    g.appendChild(svg(doc, 'title', {}, `${d.day}: ${parts.concat(other ? [`${other} other`] : []).join(', ') || 'none'}`));
    for (const v of [...REPORT_VERDICTS, 'other' as const]) {
      const n = v === 'other' ? other : (d.verdicts[v] ?? 0);
      if (!n) continue;
      const hgt = (n / max) * plotH;
      y -= hgt;
      g.appendChild(svg(doc, 'rect', { x: x.toFixed(2), y: y.toFixed(2), width: barW.toFixed(2), height: Math.max(hgt, 0.5).toFixed(2), class: `ar-bar ar-bar--${v}`, 'data-count': n }));
    }
    chart.appendChild(g);
  });
  return chart;
}

function countList(doc: Document, title: string, t: CountTable, id: string, mono = false): HTMLElement {
  const dl = h(doc, 'div', { className: 'ar-table', attrs: { id } });
  append(dl, h(doc, 'h4', { className: 'ar-title' }, title));
  const ul = h(doc, 'ul', { className: 'ar-rows' });
  for (const row of t.rows.slice(0, TOP)) {
    append(ul, h(doc, 'li', null, h(doc, 'span', { className: 'ar-count' }, String(row.count)), ' ', h(doc, 'span', { className: mono ? 'ar-key sv-mono' : 'ar-key' }, visibleText(row.key))));
  }
  const rest = t.rows.slice(TOP);
  const otherKeys = t.otherKeys + rest.length;
  const otherCount = t.otherCount + rest.reduce((n, r) => n + r.count, 0);
  if (otherKeys) append(ul, h(doc, 'li', { className: 'ar-other' }, h(doc, 'span', { className: 'ar-count' }, String(otherCount)), ` (${otherKeys} more)`));
  if (!t.rows.length) append(ul, h(doc, 'li', { className: 'ar-none' }, 'None.'));
  append(dl, ul);
  return dl;
}

function legend(doc: Document): HTMLElement {
  const ul = h(doc, 'ul', { className: 'ar-legend', attrs: { 'aria-hidden': 'true' } });
  for (const v of REPORT_VERDICTS) {
    const sw = svg(doc, 'svg', { viewBox: '0 0 10 10', width: 10, height: 10, class: 'ar-swatch' });
    sw.appendChild(svg(doc, 'rect', { width: 10, height: 10, class: `ar-bar ar-bar--${v}` }));
    append(ul, h(doc, 'li', null, sw, ` ${v}`));
  }
  return ul;
}

/**
 * Renders the summary into `el` with a period chooser; `now` is a parameter for tests. Re-rendering on a period
 * change only redraws the summary.
 */
export async function renderAuditReport(el: HTMLElement, source: ReportSource, opts: { now?: () => Date; days?: number | null } = {}): Promise<void> {
  const doc = el.ownerDocument;
  const now = opts.now ?? (() => new Date());
  const period = h(doc, 'select', { attrs: { id: 'audit-period' } });
  const initial = opts.days === undefined ? 30 : opts.days;
  for (const p of PERIODS) {
    const o = h(doc, 'option', { attrs: { value: p.days === null ? 'all' : String(p.days) } }, p.label);
    if (p.days === initial) o.selected = true;
    append(period, o);
  }
  const body = h(doc, 'div', { className: 'ar-body', attrs: { id: 'audit-report', 'aria-live': 'polite' } });
  append(el, h(doc, 'h4', { className: 'ar-heading' }, 'Summary'), h(doc, 'div', { className: 'setting' }, h(doc, 'label', { attrs: { for: 'audit-period' } }, 'Period '), period), body);
  let latest = 0;
  const draw = async () => {
    const mine = ++latest;
    const days = period.value === 'all' ? null : Number(period.value);
    const since = days === null ? undefined : new Date(Date.parse(now().toISOString().slice(0, 10)) - (days - 1) * DAY_MS).toISOString();
    try {
      const r = await source.report({ since, top: 10, maxDays: days ?? 90 });
      if (mine !== latest) return;
      clear(body);
      drawReport(r);
    } catch (e) {
      // The rest of the settings page must still work: the summary says what went wrong instead.
      if (mine !== latest) return;
      clear(body);
      append(body, h(doc, 'p', { className: 'ar-none' }, `The summary could not be made: ${e instanceof Error ? e.message : String(e)}`));
    }
  };
  const drawReport = (r: AuditReport) => {
    append(
      body,
      h(
        doc,
        'p',
        { className: 'ar-totals', attrs: { id: 'audit-totals' } },
        `${plural(r.messages, 'received message')} checked, ${plural(r.byEvent['policy.violation'] ?? 0, 'policy violation')}, ` +
          `${plural(r.byEvent['send.blocked'] ?? 0, 'send')} blocked` +
          (r.byEvent['send.overridden'] ? `, ${plural(r.byEvent['send.overridden'], 'warning')} overridden` : '') +
          '.',
      ),
      verdictChart(doc, r),
      legend(doc),
      h(
        doc,
        'div',
        { className: 'ar-tables' },
        countList(doc, 'Verdicts', r.verdicts, 'audit-report-verdicts'),
        countList(doc, 'Rules', r.rules, 'audit-report-rules', true),
        countList(doc, 'Sender domains', r.senderDomains, 'audit-report-domains'),
        countList(doc, 'Signer CAs', r.signerCAs, 'audit-report-cas'),
        countList(doc, 'Top reasons', r.reasons, 'audit-report-reasons', true),
      ),
    );
  };
  period.addEventListener('change', () => void draw());
  await draw();
}
