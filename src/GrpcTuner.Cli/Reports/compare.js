// Draws each study's best so far against trials and against compute, and the table that is their legend.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  Charts.draw(document.querySelector("main"), Charts.comparison, data);
  CompareTable.fill(document.querySelector("#studies tbody"), data);
  document.getElementById("summary").textContent = `${data.studies.length} studies, ${data.unit} summed over finished trials; generated ${data.generated}`;
  document.body.dataset.rendered = String(document.querySelectorAll("main figure").length);
})();
