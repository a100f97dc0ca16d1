/**
 * Tiny DOM builder for the host pages. Text always goes in through text nodes, never innerHTML, so strings
 * taken from a message (subjects, names, reasons) cannot become markup. Nothing here sets inline styles or
 * event-handler attributes, so the pages keep working under a strict Content-Security-Policy
 * (no 'unsafe-inline', no 'unsafe-eval').
 */

export type Child = Node | string | null | undefined | false;

export interface ElementProps {
  className?: string;
  /** Plain attributes (aria-*, data-*, role, id, type…). Never "on*": handlers go through addEventListener. */
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: ElementProps | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  if (props?.className) el.className = props.className;
  if (props?.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      // A programmer error, not a message problem: refuse to create inline handlers at all.
      if (/^on/i.test(name)) throw new Error(`refusing inline event handler attribute ${name}`);
      el.setAttribute(name, value);
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  const doc = parent.ownerDocument ?? (parent as Document);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An inline SVG icon from path data; decorative (the text next to it carries the meaning). */
export function svgIcon(doc: Document, className: string, paths: { d: string; cls?: string }[]): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', className);
  for (const p of paths) {
    const path = doc.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', p.d);
    if (p.cls) path.setAttribute('class', p.cls);
    svg.appendChild(path);
  }
  return svg;
}
