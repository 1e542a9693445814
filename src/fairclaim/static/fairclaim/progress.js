// Live progress for work that runs in the background (photo registration, page checks).
// The element names a status URL; its JSON says {finished, message, value, max}. When the work
// ends the page reloads once to show the result the server renders. Without JavaScript the page
// refreshes itself (a <meta http-equiv="refresh"> inside <noscript>).
(function () {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const url = box.dataset.progressUrl;
  const every = Number(box.dataset.progressEvery || 2) * 1000;
  const text = box.querySelector("[data-progress-text]");
  const bar = box.querySelector("progress");
  async function poll() {
    let state;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      if (text) text.textContent = "Could not ask for progress; trying again…";
      window.setTimeout(poll, every * 2);
      return;
    }
    if (text && state.message) text.textContent = state.message;
    if (bar && state.max) {
      bar.max = state.max;
      bar.value = state.value;
    }
    if (state.finished) {
      box.dataset.progress = "finished";
      window.location.reload();
      return;
    }
    window.setTimeout(poll, every);
  }
  box.dataset.progress = "polling";
  window.setTimeout(poll, every);
})();
