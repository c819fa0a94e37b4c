// Keyboard shortcuts of the queue page: a = accept, c = save correction, s = skip,
// 1-9 = toggle the n-th category. Ignored while typing in a text field.
document.addEventListener("keydown", function (event) {
  const tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" && event.target.type === "text") return;
  if (tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) return;
  const click = function (id) { const el = document.getElementById(id); if (el) { event.preventDefault(); el.click(); } };
  if (event.key === "a") click("accept");
  else if (event.key === "c") click("correct");
  else if (event.key === "s") click("skip");
  else if (/^[1-9]$/.test(event.key)) {
    const boxes = document.querySelectorAll("input[name=issue_types]");
    const box = boxes[parseInt(event.key, 10) - 1];
    if (box) { event.preventDefault(); box.checked = !box.checked; }
  }
});
