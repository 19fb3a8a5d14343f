// Kernel-free explorers: swap precomputed frames as the reader moves a control.
// Each <figure class="mathdl-explorer"> holds one control per explorer input (a range
// input whose value is an index into its static values, or a <select>), one <img>, and
// a JSON script with the frames in row-major order over the controls.
// Written by mathdl.widgets.Explorer.static_html.
(function () {
  "use strict";
  function index(control) {
    return control.tagName === "SELECT" ? control.selectedIndex : Number(control.value);
  }
  function wire(figure) {
    var data = JSON.parse(figure.querySelector("script.mathdl-frames").textContent);
    var controls = figure.querySelectorAll(".mathdl-control input, .mathdl-control select");
    var image = figure.querySelector("img.mathdl-frame");
    function show() {
      var flat = 0;
      controls.forEach(function (control, k) {
        flat = flat * data.shape[k] + index(control);
        if (control.dataset.values) {
          control.nextElementSibling.textContent = JSON.parse(control.dataset.values)[index(control)];
        }
      });
      image.src = "data:image/png;base64," + data.frames[flat];
    }
    controls.forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
  }
  function wireAll() { document.querySelectorAll("figure.mathdl-explorer").forEach(wire); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
