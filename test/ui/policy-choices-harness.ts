// Loaded by test/ui/policy-choices.test.ts into a strict-CSP page: draws ui/policy-choices and records what it
// calls back (saves, the status line, the online hook and whether that ran inside the click's change event).
import type { FieldSource, PartialPolicy, Policy } from '../../src/index';
import { clear } from '../../ui/dom';
import { renderPolicyChoices } from '../../ui/policy-choices';

interface Calls {
  saved: PartialPolicy[];
  said: { text: string; ok: boolean }[];
  /** For each beforeOn call: the type of the event being dispatched when it ran ("" when none: after an await). */
  beforeOn: string[];
  afterOff: number;
}

declare global {
  interface Window {
    __draw: (policy: Policy, sources: Record<string, FieldSource>, cfg: { hook: boolean; permit: boolean; problems: string[] }) => void;
    __calls: Calls;
  }
}

window.__draw = (policy, sources, cfg) => {
  const root = document.getElementById('root') as HTMLElement;
  clear(root);
  window.__calls = { saved: [], said: [], beforeOn: [], afterOff: 0 };
  const calls = window.__calls;
  renderPolicyChoices(root, {
    policy,
    sources,
    save: async (changes) => {
      calls.saved.push(changes);
      return cfg.problems;
    },
    say: (text, ok) => calls.said.push({ text, ok }),
    online: {
      beforeOn: cfg.hook
        ? () => {
            calls.beforeOn.push(window.event?.type ?? '');
            return Promise.resolve(cfg.permit ? null : 'The host refused.');
          }
        : undefined,
      afterOff: async () => {
        calls.afterOff += 1;
      },
      note: ['A host note.'],
    },
  });
};
document.documentElement.setAttribute('data-ready', '1');
