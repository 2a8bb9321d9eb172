// The global stylesheet first: each screen's and component's own stylesheet, imported beside it, loads after it.
import './styles/base.css';
import { render } from 'solid-js/web';
import { App } from './App';

render(() => <App />, document.getElementById('root')!);
