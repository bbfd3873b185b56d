import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { SeatctlError } from '../../src/errors/index.js';
import { parseRoster, type Roster } from '../../src/review/roster.js';
import { fcOptions, logCases, nastyString, rosterCsvArb } from './hostile-input.js';

/**
 * Generated roster CSVs (random header order and quoting, BOM, CR/LF/CRLF, blank and
 * ragged rows, formula-looking cells, control characters, huge cells, broken quotes)
 * through `parseRoster`: it returns people, every one of them well-formed, or throws
 * one USAGE SeatctlError that points at a line or a column. Nothing else escapes.
 */
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+$/;

function outcome(text: string): { roster: Roster | null; error: SeatctlError | null } {
  try {
    return { roster: parseRoster(text, { source: 'hr.csv' }), error: null };
  } catch (err) {
    if (!(err instanceof SeatctlError)) throw new Error(`parseRoster threw ${(err as Error)?.name}: ${(err as Error)?.stack ?? String(err)}\ninput: ${JSON.stringify(text).slice(0, 600)}`);
    return { roster: null, error: err };
  }
}

function checkRefusal(error: SeatctlError, text: string): void {
  const shown = JSON.stringify(text).slice(0, 400);
  expect(error.code, shown).toBe('USAGE');
  // Every refusal points somewhere: a line, a column, or says the file has nothing in it.
  expect(/\bline \d+|\bcolumns?\b|file is empty/.test(error.message), `no line or column in "${error.message.slice(0, 300)}" for ${shown}`).toBe(true);
  expect(error.message).not.toMatch(/\n\s+at /);
}

function checkPeople(roster: Roster, text: string): void {
  const shown = JSON.stringify(text).slice(0, 400);
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const p of roster.people) {
    expect(EMAIL.test(p.email), `accepted a bad email ${JSON.stringify(p.email)} from ${shown}`).toBe(true);
    expect(['active', 'terminated']).toContain(p.status);
    expect(p.line).toBeGreaterThanOrEqual(2);
    expect(p.line).toBeLessThanOrEqual(lineCount);
    expect(p.name.length).toBeLessThanOrEqual(1000);
    if (p.terminationDate !== null) expect(p.terminationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }
  expect(roster.byKey.size).toBe(roster.people.length);
}

test('generated roster files: people, or a USAGE error naming a line or column', () => {
  let ran = 0;
  const seen = { people: 0, refused: 0 };
  fc.assert(
    fc.property(rosterCsvArb, (text) => {
      ran += 1;
      const { roster, error } = outcome(text);
      if (error) {
        seen.refused += 1;
        checkRefusal(error, text);
      } else {
        seen.people += 1;
        checkPeople(roster!, text);
      }
    }),
    fcOptions(60),
  );
  logCases('roster-csv.spec.ts', 'roster files', ran);
  console.log(`[hostile] roster files: ${JSON.stringify(seen)}`);
  expect(seen.people).toBeGreaterThan(5);
  expect(seen.refused).toBeGreaterThan(5);
});

test('arbitrary text as a roster: never anything but a USAGE error', () => {
  let ran = 0;
  fc.assert(
    fc.property(fc.oneof(nastyString(400), fc.string({ unit: 'binary', maxLength: 2000 }), fc.constantFrom('', '\ufeff', '"', '""', ',', '\r\n\r\n', 'email\n', 'email,name,status\n"')), (text) => {
      ran += 1;
      const { roster, error } = outcome(text);
      if (error) checkRefusal(error, text);
      else checkPeople(roster!, text);
    }),
    fcOptions(30),
  );
  logCases('roster-csv.spec.ts', 'arbitrary text', ran);
});

test('well-formed rosters, however quoted and line-ended, read back exactly the people written', () => {
  let ran = 0;
  const person = fc.record({
    local: fc.stringMatching(/^[a-z][a-z0-9.]{0,12}$/).filter((s) => !s.endsWith('.')),
    name: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.trim().length > 0),
    status: fc.constantFrom('active', 'terminated'),
    date: fc.constantFrom('', '2024-02-29', '2099-01-01'),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(person, { minLength: 1, maxLength: 10, selector: (p) => p.local }),
      fc.constantFrom('\n', '\r\n', '\r'),
      fc.boolean(),
      fc.boolean(),
      (people, eol, bom, quoteAll) => {
        ran += 1;
        const q = (v: string) => (quoteAll || /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);
        const rows = people.map((p, i) => [`${p.local}.${i}@example.com`, p.name, p.status, p.date].map(q).join(','));
        const text = `${bom ? '\ufeff' : ''}email,name,status,termination_date${eol}${rows.join(eol)}${eol}`;
        const { roster, error } = outcome(text);
        expect(error?.message ?? null, JSON.stringify(text).slice(0, 400)).toBeNull();
        expect(roster!.people.map((p) => [p.email, p.name, p.status, p.terminationDate])).toEqual(
          people.map((p, i) => [`${p.local}.${i}@example.com`, p.name, p.status, p.date || null]),
        );
      },
    ),
    fcOptions(30),
  );
  logCases('roster-csv.spec.ts', 'round trips', ran);
});
