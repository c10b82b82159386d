/* Loaded in <head>, before the first paint: applies the theme the reader chose (kept in
   localStorage, so no cookie and no banner) and marks the page as scripted, which shows
   the header's buttons. Without it the system's preference (prefers-color-scheme) rules. */
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
})();
