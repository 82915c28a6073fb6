// Gantt pages: focus the step form opened from a bar, close it, print (A3 landscape) with every project open.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id !== "gantt-editor") return;
  const field = event.target.querySelector(".form-errors, select, input:not([type=hidden])");
  if (field) { field.setAttribute("tabindex", field.getAttribute("tabindex") || "-1"); field.focus(); }
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
  if (event.target.closest("#gantt-editor [data-close-editor]")) { event.preventDefault(); document.getElementById("gantt-editor").innerHTML = ""; }
});
window.addEventListener("beforeprint", () => document.querySelectorAll("details.g-project").forEach((d) => { d.open = true; }));
// Open each chart scrolled to today.
const scrollToToday = () => document.querySelectorAll(".gantt-scroll").forEach((box) => {
  const line = box.querySelector(".line-today");
  const label = box.querySelector(".g-label");
  if (line && label) box.scrollLeft = Math.max(0, line.getBoundingClientRect().left - box.getBoundingClientRect().left - label.offsetWidth - box.clientWidth / 3);
});
document.addEventListener("DOMContentLoaded", scrollToToday);
document.addEventListener("htmx:afterSettle", scrollToToday);
