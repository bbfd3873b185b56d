/**
 * A small RFC 4180 reader for HR rosters. Written by hand rather than pulled in
 * because the rules are short, and because error messages must name the line a
 * person starts on in the file the HR team sent, which needs the parser to track
 * physical lines through quoted newlines.
 *
 * Accepted: quoted fields with "" escapes, CRLF, LF or lone CR line ends, a UTF-8
 * BOM, newlines inside quotes, no final newline. Tolerated: a stray quote inside an
 * unquoted field (kept as text, as spreadsheets do), spaces after a closing quote.
 * Refused: other text after a closing quote, and a quote that is never closed,
 * because both mean the columns of the rest of the file cannot be trusted.
 * Lines that are completely empty are skipped (they are not records).
 */
export interface CsvParseResult {
  rows: string[][];
  /** 1-based physical line on which each record starts, parallel to `rows`. */
  lines: number[];
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export class CsvTooManyRecordsError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} records`);
    this.name = 'CsvTooManyRecordsError';
  }
}

export function parseCsv(text: string, options: { maxRecords?: number } = {}): CsvParseResult {
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const rows: string[][] = [];
  const lines: number[] = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = s.length;

  let i = 0;
  let line = 1;
  let record: string[] = [];
  let recordLine = 1;
  let field = '';
  let fieldQuoted = false;

  const endRecord = (): void => {
    record.push(field);
    // A line with nothing on it is not a record; a line with `""` is (one empty cell).
    if (!(record.length === 1 && record[0] === '' && !fieldQuoted)) {
      if (rows.length >= maxRecords) throw new CsvTooManyRecordsError(maxRecords);
      rows.push(record);
      lines.push(recordLine);
    }
    record = [];
    field = '';
    fieldQuoted = false;
  };

  while (i < n) {
    const c = s[i]!;
    if (c === '"' && field === '' && !fieldQuoted) {
      // Quoted field: read to the closing quote, counting the line ends inside so
      // later records still report the line they start on.
      const openedOn = line;
      fieldQuoted = true;
      i += 1;
      for (;;) {
        const close = s.indexOf('"', i);
        if (close === -1) throw new CsvSyntaxError(`a quoted field opened on line ${openedOn} is never closed`, openedOn);
        const chunk = s.slice(i, close);
        line += countLineEnds(chunk);
        field += chunk;
        if (s[close + 1] === '"') {
          field += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      while (i < n && (s[i] === ' ' || s[i] === '\t')) i += 1;
      if (i < n && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') {
        throw new CsvSyntaxError(`unexpected text after a closing quote on line ${line} (a quote inside a quoted field must be doubled: "")`, line);
      }
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      fieldQuoted = false;
      i += 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    // Unquoted text up to the next separator; a stray quote in here is kept as text.
    const start = i;
    while (i < n) {
      const d = s.charCodeAt(i);
      if (d === 44 /* , */ || d === 13 /* \r */ || d === 10 /* \n */) break;
      i += 1;
    }
    field += s.slice(start, i);
  }
  // Last record without a final newline (or a file that ends mid-record).
  if (field !== '' || fieldQuoted || record.length > 0) endRecord();
  return { rows, lines };
}

function countLineEnds(chunk: string): number {
  let count = 0;
  for (let k = 0; k < chunk.length; k += 1) {
    const d = chunk.charCodeAt(k);
    if (d === 10) count += 1;
    else if (d === 13 && chunk.charCodeAt(k + 1) !== 10) count += 1;
  }
  return count;
}
