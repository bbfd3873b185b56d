/** Inline CSS: the report is one self-contained file, readable offline and in 10 years. */
export const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#14213d;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:20px}
main{padding:20px 28px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 20px;margin:0 0 18px}
h2{font-size:16px;margin:0 0 10px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
th{font-weight:600;background:#fafbfc}
.outcome{font-weight:600;border-radius:4px;padding:1px 6px}
.changed{background:#e3f5e8;color:#14532d}.noop,.not_found{background:#eef0f3;color:#374151}
.planned,.awaiting_approval{background:#fff5db;color:#7a4d00}.failed{background:#fde8e8;color:#7f1d1d}
.chain-ok{color:#14532d;font-weight:600}.chain-bad{color:#991b1b;font-weight:700}
figure{margin:10px 0;display:inline-block;max-width:560px;vertical-align:top}
figure img{max-width:100%;border:1px solid #dde1e6;border-radius:4px}
figcaption{font-size:12px;color:#4b5563}
code{font:12px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.muted{color:#6b7280}
`;
