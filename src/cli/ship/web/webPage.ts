/** index.html of `versiflow build-web`: the form, the poem, the sampling controls and the watermark check; app.js fills it. */
export const WEB_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Versiflow poet</title>
<style>
  :root { --ink: #1d2330; --muted: #667085; --line: #d0d5dd; --accent: #3b5bdb; --paper: #fbfaf7; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
  main { max-width: 860px; margin: 0 auto; padding: 24px 20px 40px; }
  h1 { font: 600 26px/1.2 Georgia, "Times New Roman", serif; margin: 0 0 4px; }
  .sub { color: var(--muted); margin: 0 0 18px; font-size: 13px; }
  .row { display: flex; gap: 8px; }
  #prompt { flex: 1; font: 17px Georgia, serif; padding: 9px 12px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
  button { font: 600 14px system-ui, sans-serif; padding: 9px 18px; border: 0; border-radius: 8px; background: var(--accent); color: #fff; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  .controls { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; margin: 14px 0; }
  .controls label { font-size: 12px; color: var(--muted); display: flex; flex-direction: column; gap: 3px; }
  .controls input { font: 14px ui-monospace, monospace; padding: 5px 7px; border: 1px solid var(--line); border-radius: 6px; width: 100%; background: #fff; }
  #poem { min-height: 180px; white-space: pre-wrap; font: 18px/1.6 Georgia, serif; padding: 16px 20px; background: #fff; border: 1px solid var(--line); border-radius: 10px; margin: 0; }
  #status { color: var(--muted); font-size: 13px; margin: 8px 0 22px; }
  h2 { font: 600 17px Georgia, serif; margin: 0 0 8px; }
  #pasted { width: 100%; min-height: 96px; font: 14px Georgia, serif; padding: 8px 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
  #key-row { margin: 6px 0; font-size: 13px; }
  #verdict { margin-top: 8px; font-size: 14px; }
  section { border-top: 1px solid var(--line); padding-top: 16px; }
</style>
</head>
<body data-state="loading">
<main>
  <h1>Versiflow poet</h1>
  <p class="sub"><span id="model-name"></span> · generated in your browser by transformers.js (<span id="device">…</span>), nothing is sent anywhere</p>
  <div class="row"><input id="prompt" placeholder="Type a first line…" value="the moon above the quiet sea"><button id="write">Write</button></div>
  <div class="controls">
    <label>temperature<input id="temperature" type="number" step="0.05" min="0"></label>
    <label>top-k<input id="top_k" type="number" step="1" min="0"></label>
    <label>top-p<input id="top_p" type="number" step="0.05" min="0" max="1"></label>
    <label>repetition penalty<input id="repetition_penalty" type="number" step="0.05" min="0"></label>
    <label>max new tokens<input id="max_new_tokens" type="number" step="10" min="1"></label>
  </div>
  <pre id="poem"></pre>
  <p id="status">loading…</p>
  <section>
    <h2>Is it watermarked?</h2>
    <textarea id="pasted" placeholder="Paste any text to test it for this model's watermark (scheme: …)"></textarea>
    <div id="key-row">key <input id="key" type="password"></div>
    <button id="check">Check</button> <span class="sub">scheme <span id="scheme"></span>, Versiflow's detector running in the page</span>
    <div id="verdict"></div>
  </section>
</main>
<script type="module" src="app.js"></script>
</body>
</html>
`;
