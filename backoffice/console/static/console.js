// The liveness video player: the dossier page lists the recording's frames (their URLs and
// timestamps); this plays them at their own pace. Loaded as a file: the console's CSP allows no
// inline script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".player").forEach(function (player) {
    var img = player.querySelector("img.frame");
    var items = Array.prototype.slice.call(player.querySelectorAll(".frames li"));
    var clock = player.querySelector(".clock");
    var button = player.querySelector("button.play");
    if (!img || items.length === 0 || !button) { return; }
    var frames = items.map(function (li) { return { src: li.getAttribute("data-src"), ms: Number(li.getAttribute("data-ms")) || 0 }; });
    frames.forEach(function (f) { var pre = new Image(); pre.src = f.src; });
    var timer = null;
    function show(i) {
      img.src = frames[i].src;
      clock.textContent = ((frames[i].ms - frames[0].ms) / 1000).toFixed(2) + " s";
    }
    function play(i) {
      show(i);
      if (i + 1 >= frames.length) { timer = null; return; }
      var wait = Math.min(Math.max(frames[i + 1].ms - frames[i].ms, 20), 1000);
      timer = setTimeout(function () { play(i + 1); }, wait);
    }
    button.addEventListener("click", function () {
      if (timer) { clearTimeout(timer); timer = null; return; }
      play(0);
    });
    show(0);
  });
});
