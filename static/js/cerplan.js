// cerplan: small progressive enhancements. The pages work without it (the CSP forbids inline scripts).
(function () {
  "use strict";
  // "Imprimir" buttons are hidden until this script can make them work.
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
