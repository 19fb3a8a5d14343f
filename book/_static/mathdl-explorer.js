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
  function wireAll() { document.querySelectorAll("figure.mathdl-explorer:not(.mathdl-data-explorer)").forEach(wire); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();

// Data explorers (mathdl.widgets.DataExplorer): a background image per scene, and
// trajectories (points relative to the plot box, uint16 deltas in byte planes; log-losses
// as uint8 deltas), zlib-compressed. Drawn here on two canvases; a move redraws them.
(function () {
  "use strict";
  function index(control) {
    return control.tagName === "SELECT" ? control.selectedIndex : Number(control.value);
  }
  function inflate(b64) {
    var bytes = Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function wire(figure, bytes, data) {
    var controls = figure.querySelectorAll(".mathdl-control input, .mathdl-control select");
    var image = figure.querySelector("img.mathdl-background");
    var path = figure.querySelector("canvas.mathdl-path");
    var lossCanvas = figure.querySelector("canvas.mathdl-loss");
    var status = figure.querySelector(".mathdl-status");
    var lookup = new Uint16Array(Uint8Array.from(atob(data.lookup), function (c) { return c.charCodeAt(0); }).buffer);
    var total = 0, offsets = [];
    data.lengths.forEach(function (n) { offsets.push(total); total += n; });
    var sizes = data.keyed.map(function (k) {
      var c = controls[k];
      return c.tagName === "SELECT" ? c.options.length : Number(c.max) + 1;
    });
    var lrControl = controls[data.controls.indexOf("lr")];
    var marker = null;
    if (lrControl) {
      marker = document.createElement("span");
      marker.className = "mathdl-marker";
      lrControl.parentNode.appendChild(marker);
    }
    function decode(r, steps) {
      var n = data.lengths[r], run = Math.min(data.runs[r], steps + 1), o = offsets[r];
      var x = 0, y = 0, l = 0, pts = [], losses = [];
      var br = data.box_range, lr = data.log_range;
      for (var i = 0; i < run; i++) {
        if (i < n) {
          var j = o + i;
          x = (x + bytes[2 * j] + 256 * bytes[2 * total + 2 * j]) % 65536;
          y = (y + bytes[2 * j + 1] + 256 * bytes[2 * total + 2 * j + 1]) % 65536;
          l = (l + bytes[4 * total + j]) % 256;
        }
        pts.push([br[0] + x / 65535 * (br[1] - br[0]), br[0] + y / 65535 * (br[1] - br[0])]);
        losses.push(lr[0] + l / 255 * (lr[1] - lr[0]));
      }
      return {points: pts, logLosses: losses};
    }
    var current = null;
    function show() {
      var key = 0;
      data.keyed.forEach(function (k, i) { key = key * sizes[i] + index(controls[k]); });
      controls.forEach(function (control) {
        if (control.dataset.values) {
          control.nextElementSibling.textContent = JSON.parse(control.dataset.values)[index(control)];
        }
      });
      var tc = controls[data.truncate];
      var steps = Number(JSON.parse(tc.dataset.values)[index(tc)]);
      var r = lookup[key], scene = data.scenes[data.scene[r]];
      var src = "data:image/png;base64," + scene.src;
      if (image.getAttribute("src") !== src) { image.setAttribute("src", src); }
      var t = decode(r, steps);
      var sx = scene.xlim, sy = scene.ylim, b = scene.box;
      current = {record: r, points: t.points.map(function (p) {
        return [sx[0] + p[0] * (sx[1] - sx[0]), sy[0] + p[1] * (sy[1] - sy[0])];
      })};
      path.width = scene.size[0]; path.height = scene.size[1];
      var ctx = path.getContext("2d");
      ctx.beginPath(); ctx.rect(b[0], b[1], b[2] - b[0], b[3] - b[1]); ctx.clip();
      ctx.strokeStyle = "#d62728"; ctx.fillStyle = "#d62728"; ctx.lineWidth = 1.5;
      ctx.beginPath();
      t.points.forEach(function (p, i) {
        var px = b[0] + p[0] * (b[2] - b[0]), py = b[3] - p[1] * (b[3] - b[1]);
        if (i === 0) { ctx.moveTo(px, py); } else { ctx.lineTo(px, py); }
      });
      ctx.stroke();
      drawLoss(t.logLosses, data.rate_of[r], steps);
      var diverged = data.status[r] > 0 && data.runs[r] <= steps;
      status.textContent = diverged
        ? "diverged at step " + data.runs[r] + ": " + data.reasons[data.status[r] - 1]
        : "no divergence in " + steps + " steps; f − f* = " + Math.pow(10, t.logLosses[t.logLosses.length - 1]).toExponential(1);
      status.classList.toggle("mathdl-diverged", diverged);
      if (marker) {
        var values = JSON.parse(lrControl.dataset.values).map(Number), edge = 2 / scene.L;
        var f = (Math.log(edge) - Math.log(values[0])) / (Math.log(values[values.length - 1]) - Math.log(values[0]));
        marker.textContent = "2/L = " + edge.toPrecision(2);
        marker.style.setProperty("--at", Math.min(Math.max(f, 0), 1));
      }
      figure.dataset.state = JSON.stringify([r, steps, status.textContent]);
    }
    function drawLoss(logs, rate, steps) {
      var c = lossCanvas, ctx = c.getContext("2d"), w = c.width, h = c.height;
      var L = 40, R = w - 8, T = 14, B = h - 26, lo = -16, hi = 12;
      ctx.clearRect(0, 0, w, h);
      ctx.fillStyle = "#000"; ctx.font = "11px sans-serif"; ctx.strokeStyle = "#999";
      ctx.strokeRect(L, T, R - L, B - T);
      function X(k) { return L + k / steps * (R - L); }
      function Y(v) { return B - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) * (B - T); }
      for (var e = lo; e <= hi; e += 4) { ctx.fillText("1e" + e, 2, Y(e) + 4); }
      ctx.fillText("0", L - 3, B + 14); ctx.fillText(String(steps), R - 16, B + 14);
      ctx.fillText("f − f* per step (log)", L + 4, T - 3);
      if (rate) {
        ctx.setLineDash([4, 3]); ctx.strokeStyle = "#555"; ctx.beginPath();
        for (var k = 0; k <= steps; k++) {
          var v = logs[0] + 2 * k * Math.log10(rate);
          if (k === 0) { ctx.moveTo(X(k), Y(v)); } else { ctx.lineTo(X(k), Y(v)); }
        }
        ctx.stroke(); ctx.setLineDash([]);
        ctx.fillText("theory ρ^2k, ρ = " + rate.toPrecision(3), L + 4, B - 4);
      }
      ctx.strokeStyle = "#d62728"; ctx.lineWidth = 1.5; ctx.beginPath();
      logs.forEach(function (v, k) { if (k === 0) { ctx.moveTo(X(k), Y(v)); } else { ctx.lineTo(X(k), Y(v)); } });
      ctx.stroke(); ctx.lineWidth = 1;
    }
    controls.forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
    window.mathdlExplorers = window.mathdlExplorers || [];
    window.mathdlExplorers.push({
      figure: figure,
      trajectory: function () { return current && current.points; },
      record: function () { return current && current.record; },
    });
    show();
  }
  function start(figure) {
    var data = JSON.parse(figure.querySelector("script.mathdl-data").textContent);
    figure.dataset.ready = "loading";
    inflate(data.blob).then(function (bytes) { wire(figure, bytes, data); figure.dataset.ready = "yes"; });
  }
  function wireAll() { document.querySelectorAll("figure.mathdl-data-explorer").forEach(start); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
