// Draws the scorecard's charts from the Vega-Lite specs the page carries in <script id="chart-specs">
// (json_script). `ast: true` runs chart expressions through vega-embed's interpreter instead of
// compiling them with Function(), so the page works under a Content-Security-Policy without
// 'unsafe-eval'; `defaultStyle: false` and the tooltip's `disableDefaultStyle` keep vega-embed from
// adding inline <style> elements (their rules are in vendor/vega-embed.css).
(function () {
  const holder = document.getElementById("chart-specs");
  if (!holder || typeof vegaEmbed !== "function") {
    return;
  }
  const specs = JSON.parse(holder.textContent);
  for (const [name, spec] of Object.entries(specs)) {
    vegaEmbed("#chart-" + name, spec, {
      ast: true,
      defaultStyle: false,
      tooltip: {disableDefaultStyle: true},
      actions: {export: true, source: false, compiled: false, editor: false},
    });
  }
})();
