import { test, expect } from '@playwright/test';
import { parseCsv } from '../../src/review/csv-parse.js';
import { emailMatchKey, parseRoster, parseRosterColumnsOption, type Roster } from '../../src/review/roster.js';
import { SeatctlError } from '../../src/errors/index.js';

const HEADER = 'email,name,status,termination_date,manager\n';

/** Runs parseRoster expecting a USAGE error; returns it for assertions. */
function rosterError(text: string, options?: Parameters<typeof parseRoster>[1]): SeatctlError {
  try {
    parseRoster(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(SeatctlError);
    const e = err as SeatctlError;
    expect(e.code).toBe('USAGE');
    expect(e.details.field).toBe('roster');
    return e;
  }
  throw new Error('parseRoster accepted a bad roster');
}

test.describe('parseCsv', () => {
  test('quoted fields, "" escapes, quoted newlines, CRLF and the line each record starts on', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\r\nline",z\r\nlast,row';
    const { rows, lines } = parseCsv(text);
    expect(rows).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\r\nline', 'z'],
      ['last', 'row'],
    ]);
    expect(lines).toEqual([1, 2, 3, 5]);
  });

  test('BOM stripped, LF and blank lines skipped, quoted empty cell kept', () => {
    const { rows, lines } = parseCsv('\uFEFFa\n\n""\nb\n');
    expect(rows).toEqual([['a'], [''], ['b']]);
    expect(lines).toEqual([1, 3, 4]);
  });

  test('an unclosed quote and text after a closing quote are refused with their line', () => {
    expect(() => parseCsv('a\nb\n"never closed\n')).toThrow(/opened on line 3 is never closed/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/after a closing quote on line 2/);
  });
});

test.describe('parseRoster: reading', () => {
  test('reads people with quoted fields, CRLF, BOM and optional columns', () => {
    const text =
      '\uFEFFemail,name,status,termination_date,manager\r\n' +
      'alice@example.com,"Smith, Alice",active,,boss@example.com\r\n' +
      '"bob@example.com","Bob ""The Builder""",Terminated,2026-10-01,\r\n';
    const roster = parseRoster(text, { source: 'hr.csv' });
    expect(roster.source).toBe('hr.csv');
    expect(roster.people).toEqual([
      { email: 'alice@example.com', key: 'alice@example.com', name: 'Smith, Alice', status: 'active', terminationDate: null, manager: 'boss@example.com', line: 2 },
      { email: 'bob@example.com', key: 'bob@example.com', name: 'Bob "The Builder"', status: 'terminated', terminationDate: '2026-10-01', manager: null, line: 3 },
    ]);
    expect(roster.byKey.get('bob@example.com')?.name).toBe('Bob "The Builder"');
  });

  test('optional columns may be absent; headers match case- and separator-insensitively', () => {
    const roster = parseRoster(' EMAIL ,Name,Status,Termination Date\nA@X.com,A,active,2027-01-31\n');
    expect(roster.people[0]).toMatchObject({ email: 'A@X.com', key: 'a@x.com', terminationDate: '2027-01-31', manager: null });
    const camel = parseRoster('email,name,status,terminationDate\na@x.com,A,active,2027-01-31\n');
    expect(camel.people[0]?.terminationDate).toBe('2027-01-31');
  });

  test('custom column names map a different header, and --roster-columns parses to them', () => {
    const text = 'Work Email,Full Name,Employment Status,Last Day,Reports To\nc@x.com,Carol,ACTIVE,,dave@x.com\n';
    const columns = parseRosterColumnsOption('email=Work Email,name=Full Name,status=Employment Status,terminationDate=Last Day,manager=Reports To');
    expect(columns).toEqual({ email: 'Work Email', name: 'Full Name', status: 'Employment Status', terminationDate: 'Last Day', manager: 'Reports To' });
    const roster = parseRoster(text, { columns });
    expect(roster.people[0]).toMatchObject({ email: 'c@x.com', name: 'Carol', status: 'active', manager: 'dave@x.com' });
    expect(() => parseRosterColumnsOption('colour=Blue')).toThrow(/--roster-columns: expected column=Header/);
  });

  test('matching keys: case-insensitive, plus-addressing dropped, dots and look-alikes kept', () => {
    expect(emailMatchKey('  A.Smith+Sales@Example.COM ')).toBe('a.smith@example.com');
    expect(emailMatchKey('a.smith@example.com')).not.toBe(emailMatchKey('asmith@example.com'));
    // Cyrillic "а" (U+0430) is a different address, not folded onto the Latin one.
    expect(emailMatchKey('\u0430lice@example.com')).not.toBe(emailMatchKey('alice@example.com'));
    expect(emailMatchKey('+tag@example.com')).toBe('+tag@example.com');
    const roster = parseRoster(HEADER + 'Alice+HR@Example.com,Alice,active,,\n');
    expect([...roster.byKey.keys()]).toEqual(['alice@example.com']);
  });

  test('blank lines and all-empty spreadsheet rows are skipped, and lines still count', () => {
    const roster = parseRoster(HEADER + '\n,,,,\na@x.com,A,active,,\n\n');
    expect(roster.people).toHaveLength(1);
    expect(roster.people[0]?.line).toBe(4);
  });
});

test.describe('parseRoster: errors', () => {
  test('missing required column names it, lists the header, and shows the mapping flag', () => {
    const e = rosterError('email,name,Employment Status\na@x.com,A,active\n');
    expect(e.message).toBe(
      'roster: missing column "status" (header has: email, name, Employment Status); map your header with --roster-columns status=Employment Status',
    );
    expect(e.details.line).toBe(1);
  });

  test('bad email, bad status, bad dates: each with its line, all reported at once', () => {
    const text =
      HEADER +
      'ok@x.com,Ok,active,,\n' + // line 2
      'bob@,Bob,active,,\n' + // line 3
      'carol@x.com,Carol,leaver,,\n' + // line 4
      'dan@x.com,Dan,terminated,01/10/2026,\n' + // line 5
      'eve@x.com,Eve,terminated,2026-02-30,\n'; // line 6
    const e = rosterError(text);
    expect(e.message.split('\n')).toEqual([
      'roster: 4 errors',
      'roster line 3: email "bob@" is not an email address',
      'roster line 4: status "leaver" is not active or terminated (only these two are accepted: map other HR states to them before the review)',
      'roster line 5: termination date "01/10/2026" is not a date in YYYY-MM-DD form',
      'roster line 6: termination date "2026-02-30" is not a real date',
    ]);
    expect(e.details.line).toBe(3);
  });

  test('inactive is not accepted as a status', () => {
    expect(rosterError(HEADER + 'a@x.com,A,inactive,,\n').message).toMatch(/^roster line 2: status "inactive" is not active or terminated/);
  });

  test('duplicates, including case and plus-address aliases, point at the first line', () => {
    const text = HEADER + 'alice@example.com,Alice,active,,\n' + 'bob@example.com,Bob,active,,\n' + 'ALICE+x@example.com,Alice 2,active,,\n' + 'bob@example.com,Bob,active,,\n';
    const e = rosterError(text, { source: 'hr.csv' });
    expect(e.message.split('\n')).toEqual([
      'hr.csv: 2 errors',
      'hr.csv line 4: duplicate of line 2 (ALICE+x@example.com and alice@example.com are the same person)',
      'hr.csv line 5: duplicate of line 3 (bob@example.com appears twice)',
    ]);
  });

  test('ragged rows (too few or too many cells) are refused with their line', () => {
    const e = rosterError(HEADER + 'a@x.com,A,active,,\nb@x.com,B,active\nc@x.com,C,active,,,extra\n');
    expect(e.message).toContain('roster line 3: 3 cells, but the header (line 1) has 5');
    expect(e.message).toContain('roster line 4: 6 cells, but the header (line 1) has 5');
  });

  test('line numbers account for quoted newlines in earlier rows', () => {
    const e = rosterError(HEADER + 'a@x.com,"two\nlines",active,,\nnot-an-email,B,active,,\n');
    expect(e.message).toBe('roster line 4: email "not-an-email" is not an email address');
    expect(e.details.line).toBe(4);
  });

  test('empty file and header-only file are errors', () => {
    expect(rosterError('').message).toMatch(/^roster: the file is empty/);
    expect(rosterError('\uFEFF\n\n').message).toMatch(/^roster: the file is empty/);
    expect(rosterError(HEADER + '\n,,,,\n').message).toMatch(/^roster: no people/);
  });

  test('only the first 20 errors are listed, then a count of the rest', () => {
    const bad = Array.from({ length: 25 }, (_, i) => `user${i}@,U,active,,\n`).join('');
    const lines = rosterError(HEADER + bad).message.split('\n');
    expect(lines[0]).toBe('roster: 25 errors');
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines[20]).toMatch(/^roster line 21:/);
    expect(lines[21]).toBe('… and 5 more');
  });

  test('cells over 1,000 characters and rosters over 200,000 rows are refused', () => {
    const long = rosterError(HEADER + `a@x.com,${'n'.repeat(1001)},active,,\n`);
    expect(long.message).toBe('roster line 2: cell 2 is 1,001 characters long; the limit is 1,000');
    const many = HEADER + 'a@x.com,A,active,,\n'.repeat(200_001);
    expect(rosterError(many).message).toMatch(/more than 200,000 rows; the limit is 200,000/);
  });

  test('a 200,000-person roster is accepted', () => {
    const text = 'email,name,status\n' + Array.from({ length: 200_000 }, (_, i) => `u${i}@x.com,U ${i},active\n`).join('');
    const roster: Roster = parseRoster(text);
    expect(roster.people).toHaveLength(200_000);
    expect(roster.byKey.get('u199999@x.com')?.line).toBe(200_001);
  });
});
