// Draws every chart on the page with our own copy of plotly.js (static/build/, no CDN).
//
// Each chart is rendered by templates/includes/chart.html: a <div data-app-chart="ID"> naming the
// <script type="application/json" id="ID"> that Django's json_script wrote the plotly figure into.
// Nothing here is inline, so the strict Content-Security-Policy (script-src 'self') holds. plotly.js
// would otherwise add its own <style> elements (refused by style-src 'self'): the <link>s added below
// have the ids (and class) plotly looks for, so it uses our static copy of its rules instead (see the ADR
// "Charts under the Content-Security-Policy"). The table and summary beside each chart carry the same
// numbers, so a page without JavaScript loses nothing but the picture.

const PLOTLY_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };

// plotly.js adds a <style> element for each of these ids unless one is already there (the list is filled in
// from the bundle by static/src/copy-assets.mjs at build time). Claim each with a <link> to our copy.
const PLOTLY_STYLE_IDS = /* PLOTLY_STYLE_IDS */[];

function addPlotlyStyles(href) {
  for (const id of PLOTLY_STYLE_IDS) {
    if (document.getElementById(id)) continue;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.id = id;
    link.className = "no-inline-styles";
    link.href = href;
    document.head.appendChild(link);
  }
}

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

async function drawCharts() {
  const holders = [...document.querySelectorAll("[data-app-chart]:not([data-app-chart-drawn])")];
  if (holders.length === 0) return;
  addPlotlyStyles(holders[0].dataset.plotlyCss);
  const Plotly = await loadPlotly(holders[0].dataset.plotlySrc);
  for (const holder of holders) {
    const data = document.getElementById(holder.dataset.appChart);
    if (!data) continue;
    const figure = JSON.parse(data.textContent);
    holder.setAttribute("data-app-chart-drawn", "");
    await Plotly.newPlot(holder, figure.data, figure.layout, PLOTLY_CONFIG);
  }
}

drawCharts();
