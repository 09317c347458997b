// 码上减负: fill the receipt code from the address's fragment (the receipt's QR code puts it there;
// a fragment never reaches the server), and print buttons. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var code = document.getElementById("code");
  if (code && !code.value && window.location.hash.length > 1) {
    code.value = decodeURIComponent(window.location.hash.slice(1)).slice(0, 64);
    history.replaceState(null, "", window.location.pathname);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest(".js-print")) window.print();
  });
})();
