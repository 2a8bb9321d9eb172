import { beforeEach, describe, expect, it } from 'vitest';
import type { ServiceRule } from '../../worker/engine/model';
import { addRule, clientMapNow, deleteRule, moveRule, nextRuleIds, replaceMappings, rulesNow, setClientMapping, undoManager, updateRule } from '../../worker/core/doc';

const rule = (ruleId: string, product: string, extra: Partial<ServiceRule> = {}): ServiceRule => ({ ruleId, integrationId: 'm365', product, category: '', action: 'map', psaServiceId: 'S1', count: 'records', ...extra });

beforeEach(() => {
  replaceMappings({ clientMap: [], serviceMap: [rule('R-1', 'A'), rule('R-2', 'B'), rule('R-3', 'C')] });
});

describe('mapping edits in the workspace document', () => {
  it('refuses a map rule without a service, and an empty pattern, changing nothing', () => {
    expect(addRule(rule('R-9', 'X', { psaServiceId: '' }))).toMatch(/needs the PSA service/);
    expect(updateRule(0, { product: '  ' })).toMatch(/pattern is empty/);
    expect(rulesNow().map((r) => r.product)).toEqual(['A', 'B', 'C']);
  });

  it('refuses a mapped client without a PSA client', () => {
    expect(setClientMapping('m365', 't1', { status: 'mapped', psaClientId: '' })).toMatch(/Choose the PSA client/);
    expect(clientMapNow()).toEqual([]);
  });

  it('reorders rules, and undo puts them back', () => {
    expect(moveRule(2, 0)).toBeNull();
    expect(rulesNow().map((r) => r.ruleId)).toEqual(['R-3', 'R-1', 'R-2']);
    undoManager.undo();
    expect(rulesNow().map((r) => r.ruleId)).toEqual(['R-1', 'R-2', 'R-3']);
    undoManager.redo();
    expect(rulesNow().map((r) => r.ruleId)).toEqual(['R-3', 'R-1', 'R-2']);
  });

  it('undoes a client mapping and a deleted rule step by step', () => {
    setClientMapping('m365', 't1', { status: 'mapped', psaClientId: 'C1' });
    deleteRule(1);
    expect(rulesNow()).toHaveLength(2);
    undoManager.undo();
    expect(rulesNow()).toHaveLength(3);
    undoManager.undo();
    expect(clientMapNow()).toEqual([]);
  });

  it('does not put an import on the undo stack', () => {
    replaceMappings({ serviceMap: [rule('X', 'x')] });
    expect(undoManager.canUndo()).toBe(false);
  });

  it('hands out distinct rule ids that no rule uses', () => {
    replaceMappings({ serviceMap: [rule('R-2', 'a'), rule('R-3', 'b')] });
    const ids = nextRuleIds(50);
    expect(new Set(ids).size).toBe(50);
    expect(ids.every((id) => /^R-[0-9a-f]{8}$/.test(id))).toBe(true);
  });
});

describe('source profiles in the workspace document', () => {
  it('saves a profile as "saved" (replacing it by id), lists it, and deletes it', async () => {
    const { deleteProfile, profilesNow, saveProfile, yAudit } = await import('../../worker/core/doc');
    const { BUILTIN_PROFILES } = await import('../../worker/sources/builtinProfiles');
    const copy = { ...BUILTIN_PROFILES[0]!, id: 'saved-1', name: 'My M365' };
    expect(saveProfile(copy)).toBeNull();
    expect(saveProfile({ ...copy, name: 'My Microsoft 365' })).toBeNull();
    expect(profilesNow().map((p) => [p.id, p.name, p.origin])).toEqual([['saved-1', 'My Microsoft 365', 'saved']]);
    expect(saveProfile({ ...copy, id: 'saved-2', name: ' ' })).toMatch(/name/);
    expect(yAudit.toArray().at(-1)?.what).toContain('edited the import profile "My Microsoft 365"');
    expect(deleteProfile('saved-1')).toBeNull();
    expect(profilesNow()).toEqual([]);
    expect(deleteProfile('saved-1')).toMatch(/no longer exists/);
  });
});
