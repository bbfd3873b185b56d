import { test, expect } from '@playwright/test';
import { canonicalJson } from '../../src/store/canonical-json.js';

/** The audit chain's hashes are only re-checkable if this text is stable: pin its rules. */
test.describe('canonicalJson', () => {
  test('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
  });

  test('gives the same text for a value and its JSON round-trip', () => {
    const value = { when: new Date('2026-01-01T00:00:00Z'), gone: undefined, list: [1, undefined, , NaN], s: 'é"\n<', n: -0 };
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
    expect(canonicalJson(value)).toBe('{"list":[1,null,null,null],"n":0,"s":"é\\"\\n<","when":"2026-01-01T00:00:00.000Z"}');
  });

  test('refuses what JSON cannot carry', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson(undefined)).toThrow(/no JSON form/);
  });
});
