import { SeatctlError } from '../errors/index.js';
import { CsvSyntaxError, CsvTooManyRecordsError, parseCsv } from './csv-parse.js';

/**
 * The HR roster an access review is reconciled against: one CSV row per person.
 *
 * Parsing is strict and reports every problem at once, each with its line number,
 * because a roster that is half understood produces a review that is wrong without
 * saying so: a skipped row turns a leaver's accounts into "not in the roster", a
 * misread status turns them into "active". One throw lists everything to fix.
 */
export interface RosterColumns {
  email: string;
  name: string;
  status: string;
  terminationDate: string;
  manager: string;
}

export const DEFAULT_ROSTER_COLUMNS: RosterColumns = {
  email: 'email',
  name: 'name',
  status: 'status',
  terminationDate: 'termination_date',
  manager: 'manager',
};

export interface RosterPerson {
  /** As written in the roster, trimmed. */
  email: string;
  /** emailMatchKey(email): what accounts are matched on. */
  key: string;
  name: string;
  status: 'active' | 'terminated';
  /** YYYY-MM-DD */
  terminationDate: string | null;
  manager: string | null;
  /** 1-based line the person's record starts on. */
  line: number;
}

export interface Roster {
  people: RosterPerson[];
  byKey: Map<string, RosterPerson>;
  source: string;
}

/** Default of the config's `review.maxRosterRows`. */
export const ROSTER_MAX_ROWS = 200_000;
export const ROSTER_MAX_CELL = 1_000;
const MAX_ERRORS_SHOWN = 20;

type ColumnKey = keyof RosterColumns;
const KEYS: ColumnKey[] = ['email', 'name', 'status', 'terminationDate', 'manager'];
const REQUIRED: ColumnKey[] = ['email', 'name', 'status'];

/** Extra header spellings accepted when a column is not mapped explicitly. */
const ALIASES: Record<ColumnKey, string[]> = {
  email: ['emailaddress'],
  name: ['fullname'],
  status: [],
  terminationDate: ['terminatedon'],
  manager: [],
};

/** Header names as the error message suggests them, per column. */
const EXAMPLE_HEADER: Record<ColumnKey, string> = {
  email: 'Work Email',
  name: 'Full Name',
  status: 'Employment Status',
  terminationDate: 'Termination Date',
  manager: 'Manager Email',
};

/**
 * Header matching ignores case, surrounding space, and the separators people put
 * inside names, so `termination_date`, `terminationDate`, `Termination Date` and
 * `termination-date` are one column.
 */
const normaliseHeader = (h: string): string => h.trim().toLowerCase().replace(/[\s_\-.]+/g, '');

/**
 * What an account's email is matched on.
 *
 * - Case-insensitive: mail systems treat the domain, and in practice the local part,
 *   without case, and HR and apps disagree on capitals all the time.
 * - Plus-addressing dropped (`a.smith+sales@x.com` is `a.smith@x.com`): people sign
 *   up to apps with tagged addresses that deliver to the same mailbox.
 * - Dots are NOT removed: ignoring dots is a Gmail rule, not an email rule; on other
 *   domains `a.smith` and `asmith` can be two different people, and merging them
 *   would let one person's roster row vouch for another person's account.
 * - Unicode look-alikes are NOT folded: an address with a Cyrillic `а` is a different
 *   address, so its account comes out as not in the roster, which is the safe answer
 *   for an access review. (Canonically equivalent forms, NFC, are the same text and
 *   are treated as such.)
 */
export function emailMatchKey(email: string): string {
  const e = email.trim().normalize('NFC').toLowerCase();
  const at = e.lastIndexOf('@');
  if (at <= 0) return e;
  const local = e.slice(0, at);
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) + e.slice(at) : e;
}

// Deliberately loose: one @, something on both sides, a dot in the domain, no
// spaces or the characters that show a display name or a list got pasted in.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateProblem(value: string): string | null {
  const m = DATE.exec(value);
  if (!m) return 'is not a date in YYYY-MM-DD form';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return 'is not a real date';
  return null;
}

const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
const thousands = (n: number): string => n.toLocaleString('en-US');

interface RowError {
  line: number;
  message: string;
}

function fail(source: string, errors: RowError[]): never {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  const shown = sorted.slice(0, MAX_ERRORS_SHOWN).map((e) => e.message);
  const more = sorted.length - shown.length;
  const message =
    sorted.length === 1 ? shown[0]! : [`${source}: ${sorted.length} errors`, ...shown, ...(more > 0 ? [`… and ${thousands(more)} more`] : [])].join('\n');
  throw new SeatctlError('USAGE', message, { details: { field: 'roster', line: sorted[0]?.line ?? 1, errors: sorted.length } });
}

function findColumns(header: string[], columns: RosterColumns, overridden: Set<ColumnKey>, source: string): Record<ColumnKey, number> {
  const normalised = header.map(normaliseHeader);
  const found = {} as Record<ColumnKey, number>;
  const problems: string[] = [];
  const missing: ColumnKey[] = [];
  for (const key of KEYS) {
    const wanted = new Set([normaliseHeader(columns[key]), ...(overridden.has(key) ? [] : ALIASES[key])]);
    const hits = normalised.flatMap((h, i) => (wanted.has(h) ? [i] : []));
    if (hits.length > 1) {
      problems.push(`${source}: column "${columns[key]}" matches ${hits.map((i) => `"${header[i]!.trim()}" (column ${i + 1})`).join(' and ')}; keep one, or map the right one with --roster-columns ${key}=<header>`);
    } else if (hits.length === 1) found[key] = hits[0]!;
    else if (REQUIRED.includes(key)) missing.push(key);
  }
  if (missing.length) {
    const has = header.map((h) => h.trim()).filter(Boolean).join(', ') || 'nothing';
    const names = missing.map((k) => `"${columns[k]}"`).join(', ');
    problems.unshift(
      `${source}: missing column${missing.length > 1 ? 's' : ''} ${names} (header has: ${has}); map your header with --roster-columns ${missing.map((k) => `${k}=${EXAMPLE_HEADER[k]}`).join(',')}`,
    );
  }
  if (problems.length) {
    throw new SeatctlError('USAGE', problems.join('\n'), { details: { field: 'roster', line: 1 } });
  }
  return found;
}

/**
 * Parses a roster CSV. Throws one SeatctlError (USAGE) listing every problem found,
 * each with the line of the file it is on.
 */
export function parseRoster(text: string, options: { columns?: Partial<RosterColumns>; source?: string; maxRows?: number } = {}): Roster {
  const source = options.source ?? 'roster';
  const maxRows = options.maxRows ?? ROSTER_MAX_ROWS;
  const overridden = new Set(KEYS.filter((k) => options.columns?.[k] !== undefined));
  const columns: RosterColumns = { ...DEFAULT_ROSTER_COLUMNS, ...Object.fromEntries(Object.entries(options.columns ?? {}).filter(([, v]) => v !== undefined)) };

  // Names the config key: the person who hits the cap is told where to raise it.
  const tooManyRows = (line: number) =>
    new SeatctlError('USAGE', `${source}: more than ${thousands(maxRows)} rows; the limit is ${thousands(maxRows)} people per roster (config review.maxRosterRows)`, {
      details: { field: 'roster', line, limit: 'review.maxRosterRows' },
    });

  let parsed;
  try {
    // header + the row limit, plus one so "too many" is detected, not truncated.
    parsed = parseCsv(text, { maxRecords: maxRows + 2 });
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      throw new SeatctlError('USAGE', `${source} line ${err.line}: ${err.message}`, { details: { field: 'roster', line: err.line } });
    }
    if (err instanceof CsvTooManyRecordsError) {
      throw tooManyRows(1);
    }
    throw err;
  }
  const { rows, lines } = parsed;
  const header = rows[0];
  if (!header) throw new SeatctlError('USAGE', `${source}: the file is empty (expected a header line and one row per person)`, { details: { field: 'roster', line: 1 } });
  const headerLine = lines[0]!;
  const at = findColumns(header, columns, overridden, source);

  const errors: RowError[] = [];
  const people: RosterPerson[] = [];
  const byKey = new Map<string, RosterPerson>();
  let dataRows = 0;

  for (let r = 1; r < rows.length; r += 1) {
    const row = rows[r]!;
    const line = lines[r]!;
    // Spreadsheets export empty rows as `,,,,`: blank, not a person.
    if (row.every((c) => c.trim() === '')) continue;
    dataRows += 1;
    if (dataRows > maxRows) {
      throw tooManyRows(line);
    }
    const err = (message: string): void => {
      errors.push({ line, message: `${source} line ${line}: ${message}` });
    };
    if (row.length !== header.length) {
      err(`${row.length} cell${row.length === 1 ? '' : 's'}, but the header (line ${headerLine}) has ${header.length}`);
      continue;
    }
    const long = row.findIndex((c) => c.length > ROSTER_MAX_CELL);
    if (long !== -1) {
      err(`cell ${long + 1} is ${thousands(row[long]!.length)} characters long; the limit is ${thousands(ROSTER_MAX_CELL)}`);
      continue;
    }
    const cell = (key: ColumnKey): string => (at[key] === undefined ? '' : row[at[key]]!.trim());
    const before = errors.length;

    const email = cell('email');
    if (email === '') err('email is empty');
    else if (!EMAIL.test(email)) err(`email ${quote(email)} is not an email address`);

    const rawStatus = cell('status');
    const status = rawStatus.toLowerCase();
    if (status !== 'active' && status !== 'terminated') {
      err(
        rawStatus === ''
          ? 'status is empty (must be active or terminated)'
          : `status ${quote(rawStatus)} is not active or terminated (only these two are accepted: map other HR states to them before the review)`,
      );
    }

    const rawDate = cell('terminationDate');
    if (rawDate !== '') {
      const problem = dateProblem(rawDate);
      if (problem) err(`termination date ${quote(rawDate)} ${problem}`);
    }

    if (errors.length > before) continue;
    const key = emailMatchKey(email);
    const manager = cell('manager');
    const person: RosterPerson = {
      email,
      key,
      name: cell('name'),
      status: status as RosterPerson['status'],
      terminationDate: rawDate === '' ? null : rawDate,
      manager: manager === '' ? null : manager,
      line,
    };
    const first = byKey.get(key);
    if (first) {
      err(
        `duplicate of line ${first.line} (${first.email === email ? `${email} appears twice` : `${email} and ${first.email} are the same person`})`,
      );
      continue;
    }
    byKey.set(key, person);
    people.push(person);
  }

  if (errors.length) fail(source, errors);
  if (dataRows === 0) {
    throw new SeatctlError('USAGE', `${source}: no people (the file has a header on line ${headerLine} but no rows after it)`, { details: { field: 'roster', line: headerLine } });
  }
  return { people, byKey, source };
}

/**
 * Parses the `--roster-columns` option: `email=Work Email,status=Employment Status`.
 * Keys are the RosterColumns names (`termination_date` also accepted); values are
 * header names as they appear in the file (a header containing a comma cannot be
 * mapped here: rename it in the file).
 */
export function parseRosterColumnsOption(spec: string): Partial<RosterColumns> {
  const out: Partial<RosterColumns> = {};
  const byNormalised = new Map(KEYS.map((k) => [normaliseHeader(k), k] as const));
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? undefined : byNormalised.get(normaliseHeader(part.slice(0, eq)));
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (!key || value === '') {
      throw new SeatctlError('USAGE', `--roster-columns: expected column=Header pairs separated by commas (columns: ${KEYS.join(', ')}), got ${JSON.stringify(part.trim())}`, {
        details: { field: 'roster-columns' },
      });
    }
    out[key] = value;
  }
  return out;
}
