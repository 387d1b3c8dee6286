// Page set-up for every page, loaded as an ES module (so only by browsers GOV.UK Frontend supports).
// This is the external form of GOV.UK's usual inline snippet: our Content-Security-Policy allows no
// inline script.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
