// The global stylesheet first: each screen's and component's own stylesheet, imported beside it, loads after it.
import './styles/base.css';
import { render } from 'solid-js/web';
import { start } from './state/workspace';

// The core (a SharedWorker) opens the workspace while the screens' chunk (AG Grid is most of its
// weight) is fetched and compiled.
void start();
void import('./App').then(({ App }) => render(() => <App />, document.getElementById('root')!));
