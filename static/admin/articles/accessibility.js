/* The accessibility panel of the article form: the server's findings for the unsaved
   body (ArticleAdmin's accessibility view), asked again a moment after the writer
   stops typing. Shown in #accessibility-panel where the form's layout has one, else in
   a box of its own under the body field. No inline script (the CSP refuses it). */
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    var match = location.pathname.match(/^(.*\/articles\/article\/)(?:add|[^/]+\/change)\/$/);
    var form = document.getElementById("article_form");
    if (!match || !form) { return; }
    var body = form.elements.namedItem("body");
    var csrf = form.elements.namedItem("csrfmiddlewaretoken");
    if (!body || !csrf) { return; }
    var url = match[1] + "accessibility/";
    var panel = document.getElementById("accessibility-panel");
    if (!panel) {
        panel = document.createElement("div");
        panel.id = "accessibility-panel";
        var row = body.closest(".form-row") || body;
        row.parentNode.insertBefore(panel, row.nextSibling);
    }
    panel.classList.add("accessibility-panel");
    // Screen readers hear the new findings once the writer pauses, not every redraw.
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", "Accessibility checks");
    panel.setAttribute("aria-live", "polite");
    var asked = 0;
    var timer = null;

    function check() {
        var data = new FormData();
        data.append("body", body.value);
        var lead = form.elements.namedItem("lead_image");
        data.append("lead_image", lead ? lead.value : "");
        var number = ++asked;
        fetch(url, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: {"X-CSRFToken": csrf.value}
        })
            .then(function (response) { return response.text(); })
            .then(function (html) {
                // An older answer arriving late must not replace a newer one.
                if (number === asked) { panel.innerHTML = html; }
            })
            .catch(function () {
                if (number === asked) {
                    panel.textContent = "The accessibility check could not be reached; it will try again as you type.";
                }
            });
    }

    function later() {
        clearTimeout(timer);
        timer = setTimeout(check, 700);
    }

    body.addEventListener("input", later);
    var leadField = form.elements.namedItem("lead_image");
    if (leadField) { leadField.addEventListener("change", later); }
    check();
});
