import type { Locator } from 'playwright';

/**
 * Reads a whole HTML table in one DOM evaluation: one round trip per page of rows,
 * where per-cell locator reads would cost one each. Cells are keyed by the column
 * headers' text; links in a cell are returned too (they carry ids).
 */
export interface TableRow {
  cells: Record<string, string>;
  links: Record<string, string>;
}

export async function readTable(table: Locator): Promise<TableRow[]> {
  // One JSON string back, not an array of objects: Playwright's value serializer costs
  // about a second more on a 10,000-row table than JSON.stringify + JSON.parse.
  const json = await table.evaluate((el) => {
    const t = el as HTMLTableElement;
    const headers = [...t.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
    const rows = [...t.querySelectorAll('tbody tr')].map((tr) => {
      const cells: Record<string, string> = {};
      const links: Record<string, string> = {};
      [...tr.children].forEach((td, i) => {
        const key = headers[i] ?? String(i);
        // An editable cell (a role <select>) reads as its chosen option, not every option.
        const select = td.querySelector('select');
        cells[key] = (select ? (select.selectedOptions[0]?.textContent ?? '') : (td.textContent ?? '')).trim();
        const a = td.querySelector('a[href]');
        if (a) links[key] = a.getAttribute('href') ?? '';
      });
      return { cells, links };
    });
    return JSON.stringify(rows);
  });
  return JSON.parse(json) as TableRow[];
}
