/* Shows the "Print" buttons of kit pages (they need a script to work). */
document.querySelectorAll("[data-print]").forEach(function (box) {
  box.hidden = false;
  box.querySelector("button").addEventListener("click", function () { window.print(); });
});
