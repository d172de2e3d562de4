// Checks a family table's shape: well-formed templates, the keys it needs, no two roles claiming one name.
// Tables are code, so a failure here is a bug in the table; the error names the table and field.
import { FamilyError } from '../errors';
import type { FamilyTable } from './types';

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

export function validateFamilyTable(t: FamilyTable): void {
  const fail = (field: string, rule: string): never => {
    throw new FamilyError('family-table', `family table "${t.id}" is invalid: ${field}: ${rule}`, { key: `${t.id}.${field}`, rule });
  };
  const nonEmpty = (field: string, v: string | undefined) => {
    if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a non-empty string');
  };
  nonEmpty('label', t.label);
  nonEmpty('layerPrefix', t.layerPrefix);
  if (count(t.layerPrefix, '{i}') !== 1) fail('layerPrefix', 'must contain {i} exactly once');
  if (!t.layerPrefix.endsWith('.')) fail('layerPrefix', 'must end with "."');
  nonEmpty('layerCountKey', t.layerCountKey);
  nonEmpty('hiddenSizeKey', t.hiddenSizeKey);
  nonEmpty('tieKey', t.tieKey);

  // Every relative template, with the field it came from, to check placeholders and duplicates in one pass.
  const rel: [string, string, boolean][] = []; // [field, template, expects {e}]
  const add = (field: string, v: string | undefined, perExpert = false) => {
    if (v !== undefined) rel.push([field, v, perExpert]);
  };
  if (t.id !== 'generic') {
    for (const f of ['embed', 'finalNorm', 'head', 'attnPrefix', 'attnOutProj'] as const) nonEmpty(f, t[f]);
    for (const f of ['embed', 'finalNorm', 'head'] as const) if (t[f].includes('{')) fail(f, 'a global name has no placeholder');
    if (!t.attnOutProj.startsWith(t.attnPrefix)) fail('attnOutProj', `must start with attnPrefix "${t.attnPrefix}"`);
    if (t.attnOutBias !== undefined && !t.attnOutBias.startsWith(t.attnPrefix)) fail('attnOutBias', 'must start with attnPrefix');
    if (t.attention.outBias !== (t.attnOutBias !== undefined)) fail('attnOutBias', 'must be given exactly when attention.outBias is true');
    if (t.norms.length === 0) fail('norms', 'must list the layer norms');
    t.norms.forEach((n, i) => add(`norms[${i}]`, n));
    if (!t.moe && !t.denseMlp) fail('denseMlp', 'a dense family needs its MLP templates');
  }
  for (const [k, v] of Object.entries(t.denseMlp ?? {})) add(`denseMlp.${k}`, v);
  if (t.denseMlp && !t.denseMlp.down) fail('denseMlp', 'needs a down projection');
  if (t.denseMlp && !t.denseIntermediateKey) fail('denseIntermediateKey', 'required with denseMlp');

  const m = t.moe;
  if (m) {
    for (const f of ['expertCountKey', 'topKKey', 'expertIntermediateKey', 'router', 'blockPrefix'] as const) nonEmpty(`moe.${f}`, m[f]);
    if (!t.denseLayers) fail('denseLayers', 'an MoE family must say which layers are dense');
    if (t.denseLayers && t.denseLayers.kind !== 'none' && !t.denseMlp) fail('denseMlp', 'dense layers need MLP templates');
    if (!m.router.startsWith(m.blockPrefix)) fail('moe.router', `must start with blockPrefix "${m.blockPrefix}"`);
    add('moe.router', m.router);
    m.routerBias?.forEach((b, i) => add(`moe.routerBias[${i}]`, b));
    add('moe.sharedExpertGate', m.sharedExpertGate);
    for (const [k, v] of Object.entries(m.sharedExpert ?? {})) add(`moe.sharedExpert.${k}`, v);
    if (m.sharedExpert && !m.sharedExpertCountKey && !m.sharedIntermediateKey) fail('moe.sharedExpert', 'needs a count or width key');
    const perExpert = m.expertLayout === 'per-expert';
    for (const [k, v] of Object.entries(m.experts)) {
      add(`moe.experts.${k}`, v, perExpert);
      if (!v.startsWith(m.blockPrefix)) fail(`moe.experts.${k}`, `must start with blockPrefix "${m.blockPrefix}"`);
    }
    if (perExpert && !(m.experts.gate && m.experts.up && m.experts.down)) fail('moe.experts', 'per-expert layout needs gate, up and down');
    if (!perExpert && !(m.experts.gate_up && m.experts.down)) fail('moe.experts', 'fused layouts need gate_up and down');
    if (m.groupKeys) {
      nonEmpty('moe.groupKeys.nGroup', m.groupKeys.nGroup);
      nonEmpty('moe.groupKeys.topkGroup', m.groupKeys.topkGroup);
    }
  }
  if (t.mtp) {
    nonEmpty('mtp.countKey', t.mtp.countKey);
    t.mtp.markers.forEach((n, i) => add(`mtp.markers[${i}]`, n.name));
  }

  const seen = new Map<string, string>();
  for (const [field, v, perExpert] of rel) {
    if (v.length === 0) fail(field, 'must be a non-empty string');
    if (v.includes('{i}')) fail(field, 'is relative to the layer prefix: no {i}');
    if (perExpert && count(v, '{e}') !== 1) fail(field, 'must contain {e} exactly once');
    if (!perExpert && v.includes('{e}')) fail(field, 'must not contain {e}');
    const prev = seen.get(v);
    if (prev) fail(field, `duplicates ${prev} ("${v}")`);
    seen.set(v, field);
  }
}
