// The progress bar of a people import: asks the server for the count every second and moves the bar;
// when the import has finished, reloads the page to show its outcome. Without script, a link reloads.
(function () {
  "use strict";
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("progress-text");
  if (!bar) { return; }
  var url = bar.getAttribute("data-poll");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.finished) { window.location.reload(); return; }
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        if (text) { text.textContent = text.textContent.replace(/^[\d\s,.\u00a0\u202f]+/, data.processed.toLocaleString(document.documentElement.lang) + " "); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
