// Loaded by test/ui/verdict-view.test.ts into a strict-CSP page: exposes the view to page.evaluate.
import type { Verdict } from '../../src/verdict';
import { renderChecking, renderVerdict } from '../../ui/verdict-view';

declare global {
  interface Window {
    __render: (v: Verdict, withButton: boolean) => void;
    __checking: () => void;
    __again: number;
  }
}

window.__again = 0;
window.__render = (v, withButton) => {
  const root = document.getElementById('root') as HTMLElement;
  renderVerdict(root, v, withButton ? { onVerifyAgain: () => (window.__again += 1), notes: ['A host note.'] } : {});
};
window.__checking = () => renderChecking(document.getElementById('root') as HTMLElement);
document.documentElement.setAttribute('data-ready', '1');
