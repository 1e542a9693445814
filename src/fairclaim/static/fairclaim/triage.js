// Keyboard triage for the match inbox. Without JavaScript the checkboxes and buttons do the same.
(function () {
  const form = document.getElementById("triage");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("tr[data-match]"));
  const keys = { c: "claim", l: "licensed", i: "ignore", n: "not_mine", w: "whitelist" };
  let current = 0;
  function focus(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("current", i === current));
    rows[current].focus();
  }
  function act(action) {
    const picked = form.querySelectorAll("input[name=match]:checked");
    if (!picked.length) rows[current].querySelector("input[name=match]").checked = true;
    const button = form.querySelector(`button[data-action="${action}"]`);
    if (button) form.requestSubmit(button);
  }
  document.addEventListener("keydown", (event) => {
    if (event.target.matches("input[type=text], input:not([type]), select, textarea")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") focus(current + 1);
    else if (event.key === "k") focus(current - 1);
    else if (event.key === "x") {
      const box = rows[current].querySelector("input[name=match]");
      box.checked = !box.checked;
    } else if (keys[event.key]) act(keys[event.key]);
    else return;
    event.preventDefault();
  });
  focus(0);
  // Lets a user (and the browser tests) tell the keys are live before pressing them.
  form.dataset.keys = "ready";
})();
