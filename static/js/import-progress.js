// Polls an import job's status and updates the progress bar; reloads the page when the job finishes.
const box = document.getElementById("job-status");
if (box && box.dataset.finished === "false") {
  const bar = box.querySelector("progress");
  const message = box.querySelector("[data-job-message]");
  const state = box.querySelector("[data-job-state] .govuk-tag");
  const link = box.querySelector("[data-refresh-link]");
  if (link) link.parentElement.hidden = true;
  let delay = 1000;
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (bar) { bar.value = job.progress; bar.textContent = `${job.progress}%`; }
        if (state) state.textContent = job.state_label;
        if (message && job.message) message.textContent = job.message;
        if (job.finished) { window.location.reload(); return; }
      }
    } catch (error) {
      if (message) message.textContent = "Could not check progress. Retrying.";
    }
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
}
