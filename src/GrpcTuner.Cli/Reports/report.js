// Draws the study's plots from the embedded data with the charts the dashboard draws too.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  Charts.draw(document.querySelector("main"), Charts.study, data);
  document.getElementById("summary").textContent = `${Charts.summary(data)}; generated ${data.generated}`;
  document.body.dataset.rendered = String(document.querySelectorAll("main figure").length);
})();
