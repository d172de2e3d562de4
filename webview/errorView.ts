// Why a checkpoint could not be read: the typed error's message, code, file, tensor and rule, and a way to the log.
import type { ErrorView } from '../src/protocol.js';
import { h, icon } from './dom.js';
import { host } from './host.js';
import { button } from './toolkit.js';

export function renderError(app: HTMLElement, title: string, error: ErrorView): void {
  const details = h('dl', { class: 'error-details' });
  const row = (term: string, value: string | undefined) => {
    if (value) details.append(h('dt', {}, term), h('dd', {}, h('code', {}, value)));
  };
  row('Error', `${error.name} (${error.code})`);
  row('Rule', error.rule);
  row('File', error.file);
  row('Tensor', error.tensor);
  app.replaceChildren(
    h('section', { class: 'error', role: 'alert', 'data-testid': 'error' },
      h('h1', {}, icon('error'), ` Cannot read ${title}`),
      h('p', { class: 'error-message', 'data-testid': 'error-message' }, error.message),
      details,
      h('p', { class: 'hint' }, 'Graft reloads this editor when the file changes on disk.'),
      button('Show Log', () => host.send({ type: 'log/show' }), 'secondary'),
    ),
  );
}
