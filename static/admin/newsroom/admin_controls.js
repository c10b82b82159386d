/* Names for the controls Django's admin leaves without one, on every admin screen, so
   every control is announced (axe: label, aria-input-field-name, empty-table-header,
   scrollable-region-focusable): the date and time halves of a date-time field, the
   cells of a table of rows, inline or a list's editable columns (named by their
   column), the autocomplete boxes (named by their field's label, or by their column),
   the rows' unnamed header cells, and the tables that scroll sideways on a phone
   (reachable by keyboard). Select2 builds its boxes in a jQuery ready handler, so this
   is queued after it (jQuery runs ready handlers in order, also once ready has passed),
   and runs again for each row "Add another" makes. */
function nameAdminControls(scope) {
    "use strict";
    function text(element) { return element ? element.textContent.replace(/[:*]/g, "").trim() : ""; }
    scope.querySelectorAll(".form-row").forEach(function (row) {
        var label = row.querySelector("label");
        var parts = row.querySelectorAll("p.datetime input");
        parts.forEach(function (input, index) {
            if (!input.labels.length && !input.getAttribute("aria-label")) {
                input.setAttribute("aria-label", text(label) + (index ? ", time" : ", date"));
            }
        });
    });
    scope.querySelectorAll(".tabular table, #result_list").forEach(function (table) {
        var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
        table.querySelectorAll("thead th").forEach(function (cell, index) {
            if (!text(cell)) {
                var hidden = document.createElement("span");
                hidden.className = "visually-hidden";
                hidden.textContent = index ? "Actions" : "Row";
                cell.appendChild(hidden);
            }
        });
        table.querySelectorAll("tbody tr").forEach(function (row) {
            Array.prototype.forEach.call(row.cells, function (cell, index) {
                cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (input) {
                    if (!input.labels.length && !input.getAttribute("aria-label") && headings[index]) {
                        input.setAttribute("aria-label", headings[index]);
                    }
                });
            });
        });
        var group = table.closest(".inline-group");
        if (group && !group.hasAttribute("tabindex")) {
            group.setAttribute("tabindex", "0");
            group.setAttribute("role", "region");
            group.setAttribute("aria-label", text(group.querySelector("h2")));
        }
    });
    scope.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
        var select = box.closest(".select2").previousElementSibling;
        var label = select && select.id && document.querySelector("label[for='" + select.id + "']");
        var name = label ? text(label) : select && select.getAttribute("aria-label");
        if (name) {
            box.setAttribute("aria-label", name);
            var shown = box.querySelector("[role=textbox]");
            if (shown) { shown.setAttribute("aria-label", name); }
        }
    });
}

window.addEventListener("load", function () {
    "use strict";
    function run() { nameAdminControls(document); }
    if (window.django && window.django.jQuery) { window.django.jQuery(run); } else { run(); }
    document.addEventListener("formset:added", run);
});
