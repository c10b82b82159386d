/* The reader site's behaviour, all progressive: without it the menu stays open, the
   theme follows the system and the share links still work. */
(function () {
    "use strict";
    var root = document.documentElement;
    var darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

    function isDark() {
        var chosen = root.dataset.theme;
        return chosen ? chosen === "dark" : darkQuery.matches;
    }

    var themeButton = document.querySelector(".theme-toggle");
    if (themeButton) {
        var showTheme = function () {
            themeButton.setAttribute("aria-pressed", String(isDark()));
        };
        showTheme();
        darkQuery.addEventListener("change", showTheme);
        themeButton.addEventListener("click", function () {
            var theme = isDark() ? "light" : "dark";
            root.dataset.theme = theme;
            try {
                localStorage.setItem("theme", theme);
            } catch (blocked) {
                // Not remembered, but applied for this page.
            }
            showTheme();
        });
    }

    var menuButton = document.querySelector(".menu-toggle");
    var header = document.querySelector(".site-header");
    if (menuButton && header) {
        var setOpen = function (open) {
            header.classList.toggle("is-open", open);
            menuButton.setAttribute("aria-expanded", String(open));
        };
        menuButton.addEventListener("click", function () {
            setOpen(menuButton.getAttribute("aria-expanded") !== "true");
        });
        header.addEventListener("keydown", function (event) {
            if (event.key === "Escape" && header.classList.contains("is-open")) {
                setOpen(false);
                menuButton.focus();
            }
        });
    }

    var share = document.querySelector(".share");
    if (share) {
        var url = share.dataset.url;
        var nativeButton = share.querySelector(".share__native");
        if (nativeButton && navigator.share) {
            nativeButton.parentElement.hidden = false;
            nativeButton.addEventListener("click", function () {
                navigator.share({title: share.dataset.title, url: url}).catch(function () {
                    // Dismissed: nothing to do.
                });
            });
        }
        var copyButton = share.querySelector(".share__copy");
        var status = share.querySelector(".share__status");
        if (copyButton && navigator.clipboard) {
            copyButton.parentElement.hidden = false;
            copyButton.addEventListener("click", function () {
                navigator.clipboard.writeText(url).then(
                    function () { status.textContent = "Link copied."; },
                    function () { status.textContent = "Could not copy: the address is " + url; }
                );
            });
        }
    }
})();
