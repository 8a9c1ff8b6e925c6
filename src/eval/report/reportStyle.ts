/** The report's whole stylesheet, inlined into index.html (no external files, no scripts). */
export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222; background: #f6f7f9; margin: 0; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d8dbe0; }
.sub { color: #666; margin: 0 0 14px; }
section { background: white; border: 1px solid #e2e5ea; border-radius: 6px; padding: 2px 18px 14px; margin: 16px 0; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px 16px; margin: 14px 0 4px; }
.summary div { background: #f3f5f8; border-radius: 4px; padding: 6px 10px; }
.summary b { display: block; font-size: 11px; font-weight: normal; color: #666; text-transform: uppercase; letter-spacing: .03em; }
.summary span { font-size: 15px; overflow-wrap: anywhere; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
figure.plot { margin: 0; padding: 4px; border: 1px solid #eef0f3; border-radius: 4px; background: white; }
figure.plot svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #e2e5ea; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f3f5f8; }
td { font-variant-numeric: tabular-nums; }
table.kv th { background: #f8f9fb; font-weight: normal; color: #444; }
table.kv td { max-width: 300px; overflow-wrap: anywhere; }
.scroll { max-width: 100%; overflow-x: auto; }
.row { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
details summary { cursor: pointer; margin: 8px 0; }
.config { columns: 3 260px; column-gap: 24px; font-size: 13px; margin-bottom: 8px; }
.config div { break-inside: avoid; padding: 1px 0; border-bottom: 1px dotted #e6e8ec; overflow-wrap: anywhere; }
.config code { color: #555; }
pre { background: #f8f9fb; border: 1px solid #eef0f3; padding: 8px 10px; white-space: pre-wrap; font: 13px/1.4 "DejaVu Sans Mono", monospace; margin: 4px 0 12px; }
.sample h3 { font-size: 13px; margin: 10px 0 2px; color: #555; font-weight: normal; }
.source, .note { color: #777; font-size: 12px; margin: 4px 0; }
.problems { color: #a33; }
footer { color: #888; font-size: 12px; margin-top: 24px; }
`;
