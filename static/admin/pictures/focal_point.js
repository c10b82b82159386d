/* An image's focal point, set by clicking its picture on the image's page: the click
   fills the "focal point across/down" inputs (fractions of the width and height) and
   a ring marks the spot. The inputs stay editable by keyboard; the ring follows them.
   No inline script or style attribute (the CSP refuses them; CSSOM is allowed). */
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    var holder = document.querySelector(".focal-picture");
    var across = document.getElementById("id_focal_x");
    var down = document.getElementById("id_focal_y");
    // A read-only image (one a published article shows, for a writer) has no inputs.
    if (!holder || !across || !down) { return; }
    var picture = holder.querySelector("img");
    var marker = holder.querySelector(".focal-marker");

    function show() {
        var x = parseFloat(across.value);
        var y = parseFloat(down.value);
        var placed = !isNaN(x) && !isNaN(y) && x >= 0 && x <= 1 && y >= 0 && y <= 1;
        marker.hidden = !placed;
        if (placed) {
            marker.style.left = (x * 100) + "%";
            marker.style.top = (y * 100) + "%";
        }
    }

    picture.addEventListener("click", function (event) {
        var box = picture.getBoundingClientRect();
        var clamp = function (value) { return Math.min(1, Math.max(0, value)); };
        across.value = clamp((event.clientX - box.left) / box.width).toFixed(3);
        down.value = clamp((event.clientY - box.top) / box.height).toFixed(3);
        across.dispatchEvent(new Event("change", {bubbles: true}));
        show();
    });
    across.addEventListener("input", show);
    down.addEventListener("input", show);
    show();
});
