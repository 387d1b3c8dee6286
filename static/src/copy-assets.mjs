// Copy what the pages need from govuk-frontend, plus our own JS, into static/build/ (git-ignored).
//
// Only the images app.css refers to are copied (production's manifest storage must resolve every
// url() in it). Not copied: the GDS Transport fonts and GOV.UK's icons and manifest, which belong to
// GOV.UK, not to a council service (our favicon is static/images/favicon.svg).
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const build = join(root, "static", "build");

const css = readFileSync(join(build, "app.css"), "utf8");
const images = new Set([...css.matchAll(/url\(["']?images\/([^"')]+)["']?\)/g)].map((m) => m[1]));

const copies = [
  [join(govuk, "govuk-frontend.min.js"), join(build, "govuk-frontend.min.js")],
  [join(root, "static", "src", "js", "app.js"), join(build, "app.js")],
  ...[...images].map((name) => [join(govuk, "assets", "images", name), join(build, "images", name)]),
];

mkdirSync(join(build, "images"), { recursive: true });
for (const [from, to] of copies) {
  cpSync(from, to);
  console.log(`copied ${relative(root, from)} -> ${relative(root, to)}`);
}
