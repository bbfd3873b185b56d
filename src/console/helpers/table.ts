import type { Locator } from 'playwright';

/**
 * Reads a whole HTML table in one DOM evaluation: one round trip per page of rows,
 * where per-cell locator reads would cost one each. Cells are keyed by the column
 * headers' text; links in a cell are returned too (they carry ids).
 *
 * Headers are the cells of the header row — `<th>` AND `<td>`, in order — and each
 * body cell takes the header at its own column index (colspans counted), so a header
 * cell that is a `<td>` cannot shift the columns. WordPress's list tables do exactly
 * that: the select-all column is `<td class="check-column">` in `<thead>` and
 * `<th scope="row">` in each body row (WordPress `WP_List_Table::print_column_headers`,
 * https://github.com/WordPress/WordPress/blob/master/wp-admin/includes/class-wp-list-table.php).
 * A header with no text is keyed by its column number.
 */
export interface TableRow {
  cells: Record<string, string>;
  links: Record<string, string>;
}

/**
 * The in-page half of `readTable`: the rows of `el` (a table) as one JSON string.
 * Self-contained (Playwright sends its source to the page), so a flow may also run it
 * inside an evaluation of its own that does more in the same round trip.
 */
export function tableRowsJson(el: Element): string {
  const t = el as HTMLTableElement;
  const text = (node: Element) => (node.textContent ?? '').replace(/\s+/g, ' ').trim();
  /** Each cell with the column index it starts at. */
  const columns = (tr: HTMLTableRowElement) => {
    let at = 0;
    return [...tr.cells].map((cell) => {
      const start = at;
      at += Math.max(1, cell.colSpan || 1);
      return { cell, index: start };
    });
  };
  const bodyRows = [...t.tBodies].flatMap((b) => [...b.rows]);
  // The last row of <thead>; without one, a leading row of header cells only (a
  // table without <thead> puts it in the first <tbody>).
  let headerRow: HTMLTableRowElement | undefined = t.tHead?.rows[t.tHead.rows.length - 1];
  if (!headerRow && bodyRows[0] && [...bodyRows[0].cells].every((c) => c.tagName === 'TH')) headerRow = bodyRows.shift();
  const headers = new Map<number, string>();
  if (headerRow) for (const { cell, index } of columns(headerRow)) headers.set(index, text(cell) || String(index));
  const rows = bodyRows.map((tr) => {
    const cells: Record<string, string> = {};
    const links: Record<string, string> = {};
    for (const { cell, index } of columns(tr)) {
      const key = headers.get(index) ?? String(index);
      // An editable cell (a role <select>) reads as its chosen option, not every option.
      const select = cell.querySelector('select');
      cells[key] = select ? (select.selectedOptions[0]?.textContent ?? '').trim() : text(cell);
      const a = cell.querySelector('a[href]');
      if (a) links[key] = a.getAttribute('href') ?? '';
    }
    return { cells, links };
  });
  return JSON.stringify(rows);
}

export async function readTable(table: Locator): Promise<TableRow[]> {
  // One JSON string back, not an array of objects: Playwright's value serializer costs
  // about a second more on a 10,000-row table than JSON.stringify + JSON.parse.
  return JSON.parse(await table.evaluate(tableRowsJson)) as TableRow[];
}
