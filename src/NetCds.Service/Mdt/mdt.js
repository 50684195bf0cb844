// NetCds MDT view: the print button, and every fold open while printing. Served by the service (no inline script:
// the Content-Security-Policy allows scripts from the service only). The page reads and prints without it.
"use strict";

(function () {
  const button = document.getElementById("print");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  // The stylesheet opens the folds in print (::details-content); browsers without it get them opened here,
  // and closed again afterwards as they were.
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = Array.from(document.querySelectorAll("details:not([open])"));
    opened.forEach((d) => { d.open = true; });
  });
  window.addEventListener("afterprint", () => {
    opened.forEach((d) => { d.open = false; });
    opened = [];
  });
})();
