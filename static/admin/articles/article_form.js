/* Article admin: keep unsaved text in this browser, and suggest existing topics.
   Loaded on the article change list and forms (ArticleAdmin.Media). No inline script. */
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    var PREFIX = "newsroom:autosave:";
    var match = location.pathname.match(/^(.*\/articles\/article\/)/);
    if (!match) { return; }
    var base = match[1];
    var addKey = PREFIX + base + "add/";
    // "Copy link" beside a new share link: the clipboard where the browser allows it
    // (HTTPS or localhost), else the link selected for Ctrl+C.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
        button.addEventListener("click", function () {
            var done = function () { button.textContent = "Copied"; };
            if (navigator.clipboard) {
                navigator.clipboard.writeText(button.dataset.copy).then(done);
                return;
            }
            var link = button.parentNode.querySelector("a");
            window.getSelection().selectAllChildren(link);
            button.textContent = "Press Ctrl+C to copy";
        });
    });
    var saved = document.querySelector(".messagelist .success");
    if (saved) {
        // The last save went through: a new article's text is safe in the database now.
        localStorage.removeItem(addKey);
    }

    var form = document.getElementById("article_form");
    if (!form) { return; }

    // The slug's help text shows the article's address; follow the slug as it is typed
    // or filled in from the headline (the admin's prepopulate runs on the same events).
    var address = form.querySelector("[data-address-prefix]");
    var slug = form.elements.namedItem("slug");
    if (address && slug) {
        var showAddress = function () {
            setTimeout(function () {
                address.textContent = address.dataset.addressPrefix + (slug.value || "…") +
                    address.dataset.addressSuffix;
            }, 0);
        };
        ["input", "change", "keyup"].forEach(function (name) {
            form.addEventListener(name, function (event) {
                if (event.target === slug || event.target.name === "headline") { showAddress(); }
            });
        });
        showAddress();  // a form shown again after an error holds the typed slug
    }
    var fields = ["headline", "standfirst", "body"]
        .map(function (name) { return form.elements.namedItem(name); })
        .filter(function (field) { return field && field.tagName && !field.readOnly; });
    if (!fields.length) { return; }  // a read-only view
    var key = PREFIX + location.pathname;

    function values() {
        var out = {};
        fields.forEach(function (field) { out[field.name] = field.value; });
        return out;
    }
    function load() {
        try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    }
    function differs(stored) {
        return fields.some(function (field) {
            return stored.values[field.name] !== undefined && stored.values[field.name] !== field.value;
        });
    }

    var stored = load();
    var offer = document.getElementById("autosave-offer");
    if (stored && stored.values && differs(stored) && offer) {
        offer.querySelector("[data-autosave-time]").textContent =
            new Date(stored.savedAt).toLocaleString();
        offer.hidden = false;
        offer.querySelector("[data-autosave-restore]").addEventListener("click", function () {
            fields.forEach(function (field) {
                if (stored.values[field.name] !== undefined) { field.value = stored.values[field.name]; }
            });
            offer.hidden = true;
        });
        offer.querySelector("[data-autosave-discard]").addEventListener("click", function () {
            localStorage.removeItem(key);
            offer.hidden = true;
        });
    } else if (stored) {
        localStorage.removeItem(key);  // nothing unsaved: the form holds the same text
    }

    var timer = null;
    form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
            localStorage.setItem(key, JSON.stringify({savedAt: Date.now(), values: values()}));
        }, 300);
    });

    // "Preview body": the Markdown as readers will see it, before saving, in the public
    // site's styles. The frame runs no script; same origin only so its height can be read.
    var body = form.elements.namedItem("body");
    var csrf = form.elements.namedItem("csrfmiddlewaretoken");
    if (body && csrf) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "Preview body";
        var output = document.createElement("iframe");
        output.className = "body-preview";
        output.title = "Body preview, as readers will see it";
        output.hidden = true;
        output.setAttribute("sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox");
        output.addEventListener("load", function () {
            var page = output.contentDocument && output.contentDocument.documentElement;
            if (page) { output.style.height = page.scrollHeight + "px"; }
        });
        // Under the field (after its label-and-box row), not squeezed beside the box.
        var tools = document.createElement("div");
        tools.className = "body-preview-tools";
        var problem = document.createElement("p");
        problem.className = "errornote";
        problem.setAttribute("role", "status");
        problem.style.display = "none";  // the admin's .errornote would show an empty box
        tools.appendChild(button);
        tools.appendChild(problem);
        tools.appendChild(output);
        var row = body.closest(".flex-container") || body;
        row.parentNode.insertBefore(tools, row.nextSibling);
        button.addEventListener("click", function () {
            var data = new FormData();
            data.append("body", body.value);
            fetch(base + "render-body/", {
                method: "POST",
                body: data,
                credentials: "same-origin",
                headers: {"X-CSRFToken": csrf.value}
            })
                .then(function (response) { return response.json(); })
                .then(function (result) {
                    // A body too long or nested too deep to publish: say why instead.
                    problem.textContent = result.error || "";
                    problem.style.display = result.error ? "" : "none";
                    output.hidden = Boolean(result.error);
                    if (!result.error) { output.srcdoc = result.document; }
                });
        });
    }

    // Topic suggestions: complete the last comma-separated name from existing topics.
    // A name with a comma, or starting with a double quote, goes in double quotes with
    // its quotes doubled, as the server reads the field (articles/topics.py).
    function quoted(name) {
        if (name.indexOf(",") === -1 && name.charAt(0) !== '"') { return name; }
        return '"' + name.replace(/"/g, '""') + '"';
    }
    var tags = form.elements.namedItem("tags");
    if (!tags || tags.readOnly) { return; }
    var list = document.createElement("datalist");
    list.id = "topic-suggestions";
    document.body.appendChild(list);
    tags.setAttribute("list", list.id);
    tags.setAttribute("autocomplete", "off");
    tags.addEventListener("input", function () {
        var parts = tags.value.split(",");
        var term = parts.pop().trim();
        var head = parts.length ? parts.join(",") + ", " : "";
        if (term.length < 1) { list.replaceChildren(); return; }
        fetch(base + "tags/autocomplete/?q=" + encodeURIComponent(term), {credentials: "same-origin"})
            .then(function (response) { return response.ok ? response.json() : {results: []}; })
            .then(function (data) {
                list.replaceChildren.apply(list, data.results.map(function (name) {
                    var option = document.createElement("option");
                    option.value = head + quoted(name);
                    return option;
                }));
            });
    });
});
