/** Placeholder shell until the app issue lands: says what the product is and how to try the engine today. */
export function App() {
  return (
    <main class="intro">
      <h1>Ledgerline</h1>
      <p>
        Local-first billing reconciliation for MSPs: your PSA's invoices against real usage from Microsoft 365, RMM, backup and
        endpoint security, client by client, exact to the cent.
      </p>
      <p>
        The reconciliation engine is ready. Try it on the demo workspace from a terminal:
      </p>
      <pre>npm run -s reconcile -- --bundle demo/bundle</pre>
    </main>
  );
}
