// Copy what the pages need from govuk-frontend and plotly.js, plus our own JS, into static/build/ (git-ignored).
//
// Only the images app.css refers to are copied (production's manifest storage must resolve every
// url() in it). Not copied: the GDS Transport fonts and GOV.UK's icons and manifest, which belong to
// GOV.UK, not to a council service (our favicon is static/images/favicon.svg).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const build = join(root, "static", "build");
const plotly = join(root, "node_modules", "plotly.js-strict-dist-min", "plotly-strict.min.js");

const css = readFileSync(join(build, "app.css"), "utf8");
const images = new Set([...css.matchAll(/url\(["']?images\/([^"')]+)["']?\)/g)].map((m) => m[1]));

const copies = [
  [join(govuk, "govuk-frontend.min.js"), join(build, "govuk-frontend.min.js")],
  [join(root, "static", "src", "js", "app.js"), join(build, "app.js")],
  [plotly, join(build, "plotly-strict.min.js")],
  ...[...images].map((name) => [join(govuk, "assets", "images", name), join(build, "images", name)]),
];

mkdirSync(join(build, "images"), { recursive: true });
for (const [from, to] of copies) {
  cpSync(from, to);
  console.log(`copied ${relative(root, from)} -> ${relative(root, to)}`);
}

// plotly.js writes its own CSS into a <style> element it creates at start-up, which our CSP
// (style-src 'self') refuses. plotly skips that when an element with the id "plotly.js-style-global"
// and the class "no-inline-styles" exists, so charts.js adds a <link> with that id and class pointing at
// this file: the same rules, read out of the pinned bundle at build time (docs/adr, "Charts under the CSP").
const bundle = readFileSync(plotly, "utf8");
const found = bundle.match(/(\w+)=(\{"X,X div":[\s\S]*?\});for\((\w+) in \1\)/);
if (!found) {
  throw new Error("plotly.js's style rules were not found in its bundle: check copy-assets.mjs after an upgrade");
}
// Build-time only, on a pinned file from node_modules: the rules are a plain object literal.
const rules = new Function(`return ${found[2]};`)();
const plotlyCss = Object.entries(rules)
  .map(([selector, body]) => {
    const full = selector.replace(/^,/, " ,").replace(/X/g, ".js-plotly-plot .plotly").replace(/Y/g, ".plotly-notifier");
    return `${full}{${body}}`;
  })
  .join("\n");
// The bundle also carries MapLibre's CSS, added as a <style> with a fixed id unless an element with that
// id exists: the same trick, so those rules go into plotly.css too and charts.js gets the ids to claim.
const claimed = [];
let extraCss = "";
for (const m of bundle.matchAll(/document\.getElementById\("([\w-]+)"\)\)\{var (\w+)=document\.createElement\("style"\);\2\.id="\1",\2\.textContent=('(?:[^'\\]|\\.)*')/g)) {
  claimed.push(m[1]);
  extraCss += `${new Function(`return ${m[3]};`)()}\n`;
}
if (bundle.split('createElement("style")').length - 1 !== claimed.length + 1) {
  throw new Error("plotly.js adds a <style> element copy-assets.mjs does not know about: check it after an upgrade");
}
const version = JSON.parse(readFileSync(join(dirname(plotly), "package.json"), "utf8")).version;
writeFileSync(
  join(build, "plotly.css"),
  `/* plotly.js ${version} (MIT): its own style rules and the bundled MapLibre's, read from the bundle */\n${plotlyCss}\n${extraCss}`,
);
const charts = readFileSync(join(root, "static", "src", "js", "charts.js"), "utf8");
if (!charts.includes("/* PLOTLY_STYLE_IDS */[]")) throw new Error("charts.js lost its PLOTLY_STYLE_IDS placeholder");
writeFileSync(join(build, "charts.js"), charts.replace("/* PLOTLY_STYLE_IDS */[]", JSON.stringify(["plotly.js-style-global", ...claimed])));
console.log(`wrote static/build/plotly.css (${Object.keys(rules).length} plotly rules, ${claimed.length} more stylesheet(s)) and static/build/charts.js`);
