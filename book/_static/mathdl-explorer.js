// Kernel-free explorers: swap precomputed frames as the reader moves a slider.
// Each <figure class="mathdl-explorer"> holds range inputs (one per slider, whose
// value is an index into its static values), one <img>, and a JSON script with the
// frames in row-major order over the sliders. Written by mathdl.widgets.
(function () {
  "use strict";
  function wire(figure) {
    var data = JSON.parse(figure.querySelector("script.mathdl-frames").textContent);
    var inputs = figure.querySelectorAll("input[type=range]");
    var image = figure.querySelector("img.mathdl-frame");
    function show() {
      var flat = 0;
      inputs.forEach(function (input, k) {
        var i = Number(input.value);
        flat = flat * data.shape[k] + i;
        input.nextElementSibling.textContent = JSON.parse(input.dataset.values)[i];
      });
      image.src = "data:image/png;base64," + data.frames[flat];
    }
    inputs.forEach(function (input) { input.addEventListener("input", show); });
  }
  function wireAll() { document.querySelectorAll("figure.mathdl-explorer").forEach(wire); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
