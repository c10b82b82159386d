/* Article admin: the body editor (EasyMDE) with its toolbar, the live preview beside
   the text, the headline's length, the server autosave, topic suggestions, the slug's
   address and share links. Loaded on the article change list and forms
   (ArticleAdmin.Media). No inline script: the page's data comes in data- attributes and
   a json_script block. Without JavaScript the form is Django's, and works. */
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    var match = location.pathname.match(/^(.*\/articles\/article\/)/);
    if (!match) { return; }
    var base = match[1];
    // Unsaved text was once kept in this browser's storage; the server keeps it now, and
    // a shared computer should not keep a story no one saved.
    Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("newsroom:autosave:") === 0) { localStorage.removeItem(key); }
    });
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

    suggestTopics(form.elements.namedItem("tags"));
    countHeadline(form.elements.namedItem("headline"));

    var body = form.elements.namedItem("body");
    var settings = document.getElementById("article-editing");
    var csrf = form.elements.namedItem("csrfmiddlewaretoken");
    if (!body || body.tagName !== "TEXTAREA" || body.readOnly || !settings || !csrf) {
        return;  // a read-only view: nothing to edit, preview or autosave
    }
    var editor = makeEditor(body);
    var problems = document.createElement("div");
    problems.className = "body-problems";
    problems.setAttribute("role", "status");
    var status = document.createElement("p");
    status.className = "autosave-status";
    status.setAttribute("role", "status");
    var bodyRow = body.closest(".form-row");
    bodyRow.appendChild(problems);
    bodyRow.appendChild(status);

    function post(url, data) {
        data.set("article", settings.dataset.article);
        return fetch(url, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: {"X-CSRFToken": csrf.value}
        }).then(function (response) {
            var type = response.headers.get("Content-Type") || "";
            if (type.indexOf("application/json") !== -1) { return response.json(); }
            if (response.redirected) {
                // The login page: the session ended in another tab.
                return {error: "You are signed out: sign in again in another tab, then keep typing."};
            }
            // Django's own refusal, before the view: a request over DATA_UPLOAD_MAX_MEMORY_SIZE.
            return {error: "The server refused the form (" + response.status + "): it may be too long to send."};
        }).catch(function () {
            return {error: "The server cannot be reached: your text is still in this form."};
        });
    }
    function later(wait, work) {
        var timer = null;
        return function () {
            clearTimeout(timer);
            timer = setTimeout(work, wait);
        };
    }

    // -- live preview, word count and markers that match nothing --
    var preview = document.getElementById("live-preview");
    var frame = preview.querySelector("iframe");
    var frameBox = preview.querySelector("[data-frame-box]");
    var width = 1280;
    preview.hidden = false;
    function fit() {
        // The page at the chosen width, scaled down to the column when it is wider.
        var scale = Math.min(1, frameBox.clientWidth / width);
        frame.style.width = width + "px";
        frame.style.transform = "scale(" + scale + ")";
        var page = frame.contentDocument && frame.contentDocument.documentElement;
        var height = page ? page.scrollHeight : 600;
        frame.style.height = height + "px";
        frameBox.style.height = Math.ceil(height * scale) + "px";
    }
    frame.addEventListener("load", fit);
    window.addEventListener("resize", fit);
    preview.querySelectorAll("[data-preview-width]").forEach(function (button) {
        button.addEventListener("click", function () {
            width = Number(button.dataset.previewWidth);
            preview.querySelectorAll("[data-preview-width]").forEach(function (other) {
                other.setAttribute("aria-pressed", String(other === button));
            });
            preview.dataset.width = String(width);
            fit();
        });
    });
    var length = preview.querySelector("[data-length]");
    var structured = preview.querySelector("[data-structured-data]");
    // The page as a reader's browser lays it out: the sandboxed frame runs no script, so
    // it is marked scripted as the site's head.js marks it, or the header would show its
    // form for browsers without script (at phone width, the menu open over the story);
    // its scripts are left out, which the frame would only refuse (a console error each).
    function scripted(html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        page.documentElement.classList.add("js");
        page.querySelectorAll("script:not([type='application/ld+json'])").forEach(function (script) {
            script.remove();
        });
        return "<!DOCTYPE html>\n" + page.documentElement.outerHTML;
    }

    var refresh = later(500, function () {
        post(settings.dataset.livePreview, new FormData(form)).then(function (result) {
            if (result.words !== undefined) {
                length.textContent = result.words + (result.words === 1 ? " word" : " words") +
                    " · " + result.minutes + " min read";
            }
            var messages = (result.unknown || []).map(function (item) { return item.message; });
            if (result.error) { messages.unshift(result.error); }
            problems.replaceChildren.apply(problems, messages.map(function (text) {
                var item = document.createElement("p");
                item.textContent = text;
                return item;
            }));
            editor.highlight(result.unknown || []);
            if (result.document) {
                frame.srcdoc = scripted(result.document);
                structured.textContent = result.structured_data;
            }
        });
    });
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();

    // -- autosave: the writer's unsaved fields on the server, offered back later --
    var AUTOSAVED = ["headline", "slug", "kind", "dateline", "standfirst", "body", "tags", "backstory"];
    var loaded = form.elements.namedItem("loaded_version");
    function values() {
        var out = {};
        AUTOSAVED.forEach(function (name) {
            var field = form.elements.namedItem(name);
            if (field && field.name) { out[name] = field.value; }
        });
        return out;
    }
    var sent = JSON.stringify(values());
    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; });
    var autosave = later(2000, function () {
        var now = values();
        var text = JSON.stringify(now);
        if (submitting || text === sent) { return; }
        var data = new FormData();
        Object.keys(now).forEach(function (name) { data.set(name, now[name]); });
        data.set("version", loaded ? loaded.value : "");
        post(settings.dataset.autosave, data).then(function (result) {
            if (result.error) {
                status.textContent = "Not kept on the server: " + result.error;
                status.classList.add("autosave-status--error");
                return;
            }
            sent = text;
            status.classList.remove("autosave-status--error");
            status.textContent = "Unsaved changes kept on the server at " + result.label +
                ". Save the article to publish them.";
        });
    });
    form.addEventListener("input", autosave);
    form.addEventListener("change", autosave);

    var offer = document.getElementById("autosave-offer");
    var kept = JSON.parse(document.getElementById("autosave-data").textContent || "{}") || {};
    if (kept.fields) {
        var differs = Object.keys(kept.fields).some(function (name) {
            var field = form.elements.namedItem(name);
            return field && field.value !== kept.fields[name];
        });
        // The same text as the form (shown again after a refused save): nothing to offer,
        // and the copy stays until a save goes through.
        if (differs) {
            offer.querySelector("[data-autosave-time]").textContent = kept.label;
            offer.querySelector("[data-autosave-outdated]").hidden = !kept.outdated;
            offer.hidden = false;
            offer.querySelector("[data-autosave-restore]").addEventListener("click", function () {
                Object.keys(kept.fields).forEach(function (name) {
                    var field = form.elements.namedItem(name);
                    if (!field) { return; }
                    if (field === body) { editor.set(kept.fields[name]); } else { field.value = kept.fields[name]; }
                });
                // The version the copy was made against: if someone saved since, the
                // save is refused rather than overwriting their work.
                if (loaded && kept.version !== null) { loaded.value = kept.version; }
                offer.hidden = true;
                sent = JSON.stringify(values());
                refresh();
                editor.focus();
            });
            offer.querySelector("[data-autosave-discard]").addEventListener("click", function () {
                post(settings.dataset.autosaveDiscard, new FormData());
                offer.hidden = true;
            });
        }
    }
});

/* The body editor: EasyMDE on the body's textarea, which stays the submitted field and
   fires "input" on every change (the preview, pickers and checks listen there). */
function makeEditor(body) {
    "use strict";
    var label = document.querySelector("label[for='" + body.id + "']");
    var mac = /Mac/.test(navigator.platform);
    function keys(shortcut) { return mac ? shortcut.replace("Ctrl", "Cmd").replace("Alt", "Option") : shortcut; }
    // A picker button: pickers.js opens the picker on any [data-picker] click.
    function picker(kind, title, shortcut) {
        return {
            name: "insert-" + kind,
            className: "insert-" + kind,
            text: title,
            title: title,
            attributes: {"data-picker": kind, "data-shortcut": shortcut},
            noDisable: true
        };
    }
    var mde = new EasyMDE({
        element: body,
        // Offline and under the site's CSP: no icon font and no dictionary from a CDN.
        autoDownloadFontAwesome: false,
        spellChecker: false,
        nativeSpellcheck: true,
        forceSync: true,
        status: false,
        minHeight: "20rem",
        // Markdown's "* " would also be fine; "- " is what the importers write.
        unorderedListStyle: "-",
        // Only the shortcuts of the toolbar's buttons: the editor's own preview, side by
        // side and full screen (Ctrl-P, F9, F11) would fight the page's.
        shortcuts: {
            togglePreview: null, toggleSideBySide: null, toggleFullScreen: null,
            drawImage: null, toggleCodeBlock: null, toggleBlockquote: null, cleanBlock: null,
            toggleCheckList: null, toggleHeadingSmaller: null, toggleHeadingBigger: null
        },
        toolbar: [
            {name: "heading", action: EasyMDE.toggleHeading2, text: "Heading", title: "Heading"},
            {name: "bold", action: EasyMDE.toggleBold, text: "Bold", title: "Bold"},
            {name: "italic", action: EasyMDE.toggleItalic, text: "Italic", title: "Italic"},
            {name: "link", action: EasyMDE.drawLink, text: "Link", title: "Link"},
            {name: "unordered-list", action: EasyMDE.toggleUnorderedList, text: "Bulleted list", title: "Bulleted list"},
            {name: "ordered-list", action: EasyMDE.toggleOrderedList, text: "Numbered list", title: "Numbered list"},
            picker("quote", "Insert quote", "Ctrl-Alt-Q"),
            picker("image", "Insert image", "Ctrl-Alt-M")
        ]
    });
    var cm = mde.codemirror;
    var toolbar = mde.gui.toolbar;
    toolbar.setAttribute("aria-label", "Formatting");
    // Markdown headings in the body are h2 (the headline is the page's h1).
    cm.addKeyMap({"Ctrl-Alt-2": function () { EasyMDE.toggleHeading2(mde); }});
    toolbar.querySelector(".heading").dataset.shortcut = "Ctrl-Alt-2";
    toolbar.querySelectorAll("button").forEach(function (button) {
        // EasyMDE keeps its buttons out of the Tab order; a writer without a mouse needs them.
        button.tabIndex = 0;
        var shortcut = button.dataset.shortcut;
        if (shortcut) { button.title = button.getAttribute("aria-label") + " (" + keys(shortcut) + ")"; }
        button.setAttribute("aria-keyshortcuts", (button.title.match(/\(([^)]+)\)$/) || ["", ""])[1]
            .replace(/-/g, "+").replace("Cmd", "Meta").replace("Option", "Alt"));
    });
    ["quote", "image"].forEach(function (kind) {
        var button = toolbar.querySelector("[data-picker=" + kind + "]");
        var map = {};
        map[button.dataset.shortcut] = function () { button.click(); };
        cm.addKeyMap(map);
    });
    // Tab indents a list item; anywhere else it leaves the editor, as in any field, so
    // the keyboard is never trapped in the text (Shift-Tab goes back). A key bound to
    // false is left to the browser; the extra keys are asked first and pass elsewhere.
    var CodeMirror = cm.constructor;
    CodeMirror.keyMap.newsroom = {"Tab": false, "Shift-Tab": false, fallthrough: "default"};
    cm.setOption("keyMap", "newsroom");
    function inList() { return /^\s*([-*+]|\d+[.)])\s/.test(cm.getLine(cm.getCursor().line)); }
    var extraKeys = cm.getOption("extraKeys");
    extraKeys.Tab = function () { return inList() ? cm.execCommand("indentMore") : CodeMirror.Pass; };
    extraKeys["Shift-Tab"] = function () { return inList() ? cm.execCommand("indentLess") : CodeMirror.Pass; };
    cm.setOption("extraKeys", extraKeys);
    cm.setOption("screenReaderLabel", label ? label.textContent.replace(/:$/, "") : "Body");
    if (label) {
        // The label still names the field: a click on it puts the cursor in the text.
        label.addEventListener("click", function (event) { event.preventDefault(); cm.focus(); });
        cm.getInputField().setAttribute("aria-describedby", body.getAttribute("aria-describedby") || "");
    }
    var quiet = false;
    cm.on("change", function () {
        if (quiet) { return; }
        body.dispatchEvent(new Event("input", {bubbles: true}));
    });
    // A script that changes the textarea itself (a picker's fallback) fires "input"
    // on it: show its text in the editor.
    body.addEventListener("input", function () {
        if (body.value !== cm.getValue()) {
            quiet = true;
            var cursor = cm.getCursor();
            cm.setValue(body.value);
            cm.setCursor(cursor);
            quiet = false;
        }
    });

    var marks = [];
    var api = {
        value: function () { return cm.getValue(); },
        focus: function () { cm.focus(); },
        set: function (text) { cm.setValue(text); },
        // The text at the cursor as a paragraph of its own (a marker must be): after the
        // cursor's line, or in its place when it is empty, with one blank line around it.
        insert: function (text) {
            var cursor = cm.getCursor();
            var line = cm.getLine(cursor.line);
            var before = cm.getLine(cursor.line - 1);
            var after = cm.getLine(cursor.line + 1);
            var tail = after === undefined || after.trim() ? "\n" : "";
            if (line.trim()) {
                cm.replaceRange("\n\n" + text + tail, {line: cursor.line, ch: line.length});
                cm.setCursor({line: cursor.line + 3, ch: 0});
            } else {
                var head = before && before.trim() ? "\n" : "";
                cm.replaceRange(head + text + tail, {line: cursor.line, ch: 0}, {line: cursor.line, ch: line.length});
                cm.setCursor({line: cursor.line + (head ? 2 : 1), ch: 0});
            }
            cm.focus();
        },
        // Markers the server found no quote or image for, marked where they stand.
        highlight: function (unknown) {
            marks.forEach(function (mark) { mark.clear(); });
            marks = [];
            unknown.forEach(function (item) {
                var marker = "[[" + item.kind + ":" + item.key + "]]";
                cm.eachLine(function (handle) {
                    var at = handle.text.indexOf(marker);
                    if (at === -1) { return; }
                    var line = cm.getLineNumber(handle);
                    marks.push(cm.markText({line: line, ch: at}, {line: line, ch: at + marker.length}, {
                        className: "marker-unknown",
                        attributes: {title: item.message}
                    }));
                });
            });
        }
    };
    window.newsroomEditor = api;
    return api;
}

/* The headline's length, and a hint once search results would cut it. */
function countHeadline(headline) {
    "use strict";
    if (!headline || headline.readOnly || !headline.dataset.searchLimit) { return; }
    var limit = Number(headline.dataset.searchLimit);
    var count = document.createElement("p");
    count.className = "headline-length";
    count.id = "headline-length";
    headline.setAttribute("aria-describedby",
        ((headline.getAttribute("aria-describedby") || "") + " headline-length").trim());
    function show() {
        var length = headline.value.length;
        var over = length > limit;
        count.textContent = length + (length === 1 ? " character" : " characters") +
            (over ? ": search results will cut it after about " + limit : "");
        count.classList.toggle("headline-length--over", over);
    }
    headline.closest(".flex-container").after(count);
    headline.addEventListener("input", show);
    show();
}

/* Topic suggestions: complete the last comma-separated name from existing topics.
   A name with a comma, or starting with a double quote, goes in double quotes with its
   quotes doubled, as the server reads the field (articles/topics.py). */
function suggestTopics(tags) {
    "use strict";
    if (!tags || tags.readOnly) { return; }
    var base = location.pathname.match(/^(.*\/articles\/article\/)/)[1];
    function quoted(name) {
        if (name.indexOf(",") === -1 && name.charAt(0) !== '"') { return name; }
        return '"' + name.replace(/"/g, '""') + '"';
    }
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
}
