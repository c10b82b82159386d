/* Loaded in <head>, before the first paint (the CSP allows no inline script):
   - applies the theme the reader chose (kept in localStorage, so no cookie and no
     banner); without a choice the system's preference (prefers-color-scheme) rules;
   - marks the page as scripted, which shows the header's buttons;
   - turns a picture whose file fails to load into a tinted box (.picture--broken), so
     no page shows a broken-image icon. Listening from the head catches every failure,
     even of pictures that fail before the rest of the page's script runs. */
(function () {
    "use strict";
    var root = document.documentElement;
    root.classList.add("js");
    try {
        var theme = localStorage.getItem("theme");
        if (theme === "dark" || theme === "light") {
            root.dataset.theme = theme;
        }
    } catch (blocked) {
        // Storage switched off: the system's preference stands.
    }
    document.addEventListener("error", function (event) {
        var target = event.target;
        if (target instanceof HTMLImageElement) {
            (target.closest("picture") || target).classList.add("picture--broken");
        }
    }, true);
})();
