import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcile } from '../../worker/engine/reconcile';
import { PRESETS, buildPresetRules } from '../../worker/mapping/presets';
import { WorkspaceView } from '../../worker/views/workspaceView';

/** The view's presetRules is what Service mapping ran on the main thread, ids left to the caller. */
describe('WorkspaceView.presetRules', () => {
  const read = readBundle(generateDemoBundle());
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  const view = new WorkspaceView(read.bundle, reconcile(read.bundle));

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s gives the rules of buildPresetRules, ids blank', (_id, preset) => {
    for (const integrationId of ['m365', 'rmm']) {
      const direct = buildPresetRules(preset, integrationId, { products: view.integrationProducts(integrationId) }, view.psaServices(), (i) => `R-${i}`);
      const fromView = view.presetRules(preset.id, integrationId);
      expect(fromView.unmatched).toEqual(direct.unmatched);
      expect(fromView.rules.map((r) => ({ ...r, ruleId: '' }))).toEqual(direct.rules.map((r) => ({ ...r, ruleId: '' })));
      expect(fromView.rules.every((r) => r.ruleId === '')).toBe(true);
    }
  });
});
