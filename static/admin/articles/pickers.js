/* The article form's Insert-quote and Insert-image dialogs (admin/articles/article/
   pickers.html; the server side is articles/admin/pickers.py). Any element with
   data-picker="quote" or data-picker="image" opens one. Choosing a quote or an image
   places its marker, a line of its own, at the body's cursor: through
   window.newsroomEditor when the body editor is there, else in the <textarea name=body>.
   A new quote becomes a row of the Quotes inline, saved with the article in its one save;
   a new speaker or image is created at once, through its own admin's rules. Opened from
   the lead image field's button (data-picker-target="lead_image"), the image dialog
   chooses the lead image instead: a lead picture is uploaded with its words the same way,
   and nothing is placed in the body. */
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    var root = document.getElementById("pickers");
    var form = document.getElementById("article_form");
    if (!root || !form) { return; }
    var body = form.elements.namedItem("body");
    var csrf = form.elements.namedItem("csrfmiddlewaretoken");
    if (!body || body.readOnly) { root.hidden = true; return; }
    var quoteDialog = document.getElementById("quote-picker");
    var imageDialog = document.getElementById("image-picker");
    var opener = null;
    // The lead image field when the image dialog was opened for it, else null (a marker).
    var leadTarget = null;
    // Where the body's cursor was when a dialog opened: the dialog takes the focus, and
    // the browser may move the cursor when it gives the focus back.
    var selection = null;

    // Until the body editor's toolbar carries the two buttons, they sit above the body.
    var fallback = root.querySelector("[data-picker-fallback]");
    var bodyRow = body.closest(".form-row") || body;
    if (fallback && !document.querySelector("[data-picker]:not([data-picker-fallback] *)")) {
        bodyRow.parentNode.insertBefore(fallback, bodyRow);
    } else if (fallback) {
        fallback.remove();
    }

    // -- placing a marker --

    function insert(marker) {
        if (window.newsroomEditor) {
            window.newsroomEditor.insert(marker);
            window.newsroomEditor.focus();
            return;
        }
        var text = body.value;
        var start = selection ? selection[0] : body.selectionStart;
        var end = selection ? selection[1] : body.selectionEnd;
        var before = text.slice(0, start), after = text.slice(end);
        // A blank line on each side keeps the marker a block of its own, as Markdown reads it.
        var lead = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
        var tail = /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
        if (!after) { tail = "\n"; }
        body.value = before + lead + marker + tail + after;
        var cursor = (before + lead + marker + tail).length;
        body.focus();
        body.setSelectionRange(cursor, cursor);
        body.dispatchEvent(new Event("input", {bubbles: true}));
    }

    // -- the dialogs: native <dialog>, so the page behind is inert and Escape closes --

    function open(dialog, trigger) {
        opener = trigger;
        leadTarget = trigger && trigger.dataset && trigger.dataset.pickerTarget === "lead_image" ?
            form.elements.namedItem("lead_image") : null;
        selection = [body.selectionStart, body.selectionEnd];
        clearErrors(dialog);
        if (dialog === quoteDialog) { listQuotes(); } else { search(imageSearch.value, 1); }
        if (!dialog.open) { dialog.showModal(); }
        // Start where the work is: the first quote or the words, the library's search.
        var first = dialog === quoteDialog ?
            quoteList.querySelector("button") || quoteDialog.querySelector("#quote-text") :
            imageSearch;
        if (!dialog.contains(document.activeElement) || document.activeElement.matches("[data-picker-close]")) {
            first.focus();
        }
    }
    function close(dialog, inserted) {
        dialog.close();
        // After an insertion the writer goes on where the marker went; else back to the button.
        if (!inserted && opener && document.contains(opener)) { opener.focus(); }
    }
    [quoteDialog, imageDialog].forEach(function (dialog) {
        dialog.addEventListener("cancel", function (event) {
            event.preventDefault();
            close(dialog, false);
        });
        dialog.querySelectorAll("[data-picker-close]").forEach(function (button) {
            button.addEventListener("click", function () { close(dialog, false); });
        });
        // A click on the backdrop (outside the dialog's box) closes it too.
        dialog.addEventListener("click", function (event) {
            if (event.target === dialog) {
                var box = dialog.getBoundingClientRect();
                var inside = event.clientX >= box.left && event.clientX <= box.right &&
                    event.clientY >= box.top && event.clientY <= box.bottom;
                if (!inside) { close(dialog, false); }
            }
        });
    });
    document.addEventListener("click", function (event) {
        var trigger = event.target.closest("[data-picker]");
        if (!trigger) { return; }
        event.preventDefault();
        open(trigger.dataset.picker === "quote" ? quoteDialog : imageDialog, trigger);
    });

    function clearErrors(dialog) {
        dialog.querySelectorAll("[data-picker-error]").forEach(function (p) { p.textContent = ""; });
    }
    function showError(dialog, message) {
        var place = dialog.querySelector("[data-picker-error]");
        place.textContent = message;
    }
    // {"errors": {field: [...]}} from the server, as one sentence per problem.
    function errorText(result, names) {
        if (!result || !result.errors) { return "The server could not do it. Try again."; }
        return Object.keys(result.errors).map(function (field) {
            var label = names[field] ? names[field] + ": " : "";
            return label + result.errors[field].join(" ");
        }).join(" ");
    }
    function post(url, data) {
        return fetch(url, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: {"X-CSRFToken": csrf.value, "Accept": "application/json"}
        }).then(function (response) {
            var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
            if (json) {
                return response.json().then(function (result) { return {ok: response.ok, result: result}; });
            }
            var reason = response.status === 403 ? "You may not do this." :
                response.status === 413 ? "The file is too big." : "The server refused (" + response.status + ").";
            return {ok: false, result: {errors: {__all__: [reason]}}};
        }, function () {
            return {ok: false, result: {errors: {__all__: ["No connection to the server. Try again."]}}};
        });
    }

    // -- Insert quote --

    var quotesGroup = document.getElementById("quotes-group");
    var quoteList = quoteDialog.querySelector("[data-quote-list]");
    var quoteForm = quoteDialog.querySelector("[data-quote-form]");
    var createSection = quoteDialog.querySelector("[data-quote-create]");

    function field(row, name) {
        return row.querySelector("[name$='-" + name + "']");
    }
    function chosenText(select) {
        var option = select && select.selectedOptions[0];
        return option && option.value ? option.textContent.trim() : "";
    }
    // The Quotes inline's rows, as the form holds them now (new unsaved ones included).
    function quoteRows() {
        if (!quotesGroup) { return []; }
        return Array.prototype.filter.call(
            quotesGroup.querySelectorAll(".inline-related:not(.empty-form)"),
            function (row) { return field(row, "key"); }
        );
    }
    function listQuotes() {
        var items = quoteRows().filter(function (row) {
            var deleted = field(row, "DELETE");
            return field(row, "key").value && !(deleted && deleted.checked);
        }).map(function (row) {
            var key = field(row, "key").value;
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "picker__quote";
            var words = document.createElement("span");
            words.className = "picker__words";
            words.textContent = "“" + field(row, "text").value + "”";
            var source = [chosenText(field(row, "speaker")) || "No speaker yet",
                chosenText(field(row, "source_kind")), field(row, "source_title").value]
                .filter(Boolean).join(", ");
            var about = document.createElement("span");
            about.className = "picker__about";
            about.textContent = source + " · [[quote:" + key + "]]";
            button.append(words, about);
            button.addEventListener("click", function () {
                close(quoteDialog, true);
                insert("[[quote:" + key + "]]");
            });
            item.appendChild(button);
            return item;
        });
        quoteList.replaceChildren.apply(quoteList, items);
        quoteDialog.querySelector("[data-quote-empty]").hidden = items.length > 0;
        // Creating needs the inline's "Add another" (the permission to add quotes).
        createSection.hidden = !addQuoteLink();
    }
    function addQuoteLink() {
        return quotesGroup && quotesGroup.querySelector(".add-row a");
    }

    // A key for a new quote from its first words, unused by any row of the form.
    function slugify(text) {
        return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
            .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    }
    function freeKey(text) {
        var base = slugify(text.split(/\s+/).slice(0, 5).join(" ")).slice(0, 40).replace(/-+$/, "") || "quote";
        var taken = quoteRows().map(function (row) { return field(row, "key").value; });
        var key = base, number = 1;
        while (taken.indexOf(key) !== -1) { number += 1; key = base + "-" + number; }
        return key;
    }

    // Speaker: search the existing ones (the admin's own autocomplete, which the quote's
    // speaker field uses), or name a new one.
    var speakerSearch = quoteDialog.querySelector("#quote-speaker-search");
    var speakerChoices = quoteDialog.querySelector("[data-speaker-choices]");
    var speakerOptions = quoteDialog.querySelector("[data-speaker-options]");
    var speakerStatus = quoteDialog.querySelector("[data-speaker-status]");
    var newSpeakerRadio = quoteDialog.querySelector("[data-new-speaker-radio]");
    var speakerTimer = null;
    var searched = null;  // the name the choices shown were found for
    speakerSearch.addEventListener("input", function () {
        clearTimeout(speakerTimer);
        speakerTimer = setTimeout(findSpeakers, 250);
    });
    function findSpeakers() {
        var term = speakerSearch.value.trim();
        quoteDialog.querySelector("[data-new-speaker-name]").textContent = term;
        speakerChoices.hidden = !term;
        if (!term) {
            speakerOptions.replaceChildren();
            speakerStatus.textContent = "";
            searched = term;
            return Promise.resolve();
        }
        var query = new URLSearchParams({
            term: term, app_label: "quotes", model_name: "quote", field_name: "speaker"
        });
        return fetch(root.dataset.speakerSearchUrl + "?" + query, {credentials: "same-origin"})
            .then(function (response) { return response.ok ? response.json() : {results: []}; })
            .then(function (data) {
                if (speakerSearch.value.trim() !== term) { return; }  // a later search is on its way
                speakerOptions.replaceChildren.apply(speakerOptions, data.results.map(function (speaker) {
                    var label = document.createElement("label");
                    label.className = "picker__choice";
                    var radio = document.createElement("input");
                    radio.type = "radio";
                    radio.name = "speaker";
                    radio.value = speaker.id;
                    radio.dataset.name = speaker.text;
                    label.append(radio, " " + speaker.text);
                    return label;
                }));
                // The speaker of exactly that name if there is one, else a new speaker.
                var same = Array.prototype.find.call(speakerOptions.querySelectorAll("input"), function (radio) {
                    return radio.dataset.name.toLowerCase() === term.toLowerCase();
                });
                (same || newSpeakerRadio).checked = true;
                speakerStatus.textContent = data.results.length ?
                    data.results.length + " speaker" + (data.results.length > 1 ? "s" : "") + " found." :
                    "No speaker has that name: a new one will be created.";
                searched = term;
            });
    }
    function chosenSpeaker() {
        var term = speakerSearch.value.trim();
        if (!term) { return Promise.resolve(null); }
        if (searched !== term) {
            // Submitted before the search answered: choose from its answer, not a stale one.
            clearTimeout(speakerTimer);
            return findSpeakers().then(chosenSpeaker);
        }
        var checked = speakerChoices.querySelector("input[name=speaker]:checked");
        if (checked && checked.value !== "new") {
            return Promise.resolve({id: checked.value, name: checked.dataset.name});
        }
        var data = new FormData();
        data.append("name", term);
        data.append("kind", quoteDialog.querySelector("#quote-speaker-kind").value);
        return post(root.dataset.speakersUrl, data).then(function (answer) {
            if (!answer.ok) {
                throw new Error(errorText(answer.result, {name: "Speaker", kind: "Kind of speaker"}));
            }
            return answer.result;
        });
    }
    // Choose a record in an autocomplete field (a quote's speaker, the lead image).
    function choose(select, id, name) {
        var option = new Option(name, id, true, true);
        select.appendChild(option);
        // The autocomplete widget (select2) shows the choice once told of the change.
        if (window.django && window.django.jQuery) { window.django.jQuery(select).trigger("change"); }
        select.dispatchEvent(new Event("input", {bubbles: true}));
    }
    quoteForm.addEventListener("submit", function (event) {
        event.preventDefault();
        clearErrors(quoteDialog);
        var text = quoteDialog.querySelector("#quote-text").value.trim();
        if (!text) {
            showError(quoteDialog, "Type the quoted words.");
            quoteDialog.querySelector("#quote-text").focus();
            return;
        }
        var link = quoteDialog.querySelector("#quote-source-url");
        if (!link.checkValidity()) {
            showError(quoteDialog, "The link must be a full address, starting with https://.");
            link.focus();
            return;
        }
        chosenSpeaker().then(function (speaker) {
            var add = addQuoteLink();
            add.click();  // Django's inlines.js adds the row at once
            var rows = quoteRows();
            var row = rows[rows.length - 1];
            var key = freeKey(text);
            field(row, "key").value = key;
            field(row, "text").value = text;
            if (speaker) { choose(field(row, "speaker"), speaker.id, speaker.name); }
            field(row, "source_kind").value = quoteDialog.querySelector("#quote-source-kind").value;
            field(row, "source_title").value = quoteDialog.querySelector("#quote-source-title").value.trim();
            field(row, "reported_by").value = quoteDialog.querySelector("#quote-reported-by").value.trim();
            field(row, "source_url").value = link.value.trim();
            field(row, "said_on").value = quoteDialog.querySelector("#quote-said-on").value;
            quoteForm.reset();
            speakerChoices.hidden = true;
            speakerOptions.replaceChildren();
            speakerStatus.textContent = "";
            searched = null;
            close(quoteDialog, true);
            insert("[[quote:" + key + "]]");
        }).catch(function (error) { showError(quoteDialog, error.message); });
    });

    // -- Insert image --

    // The lead image field gets a button that opens the dialog for it (beside the admin's
    // own links, which stay: search, change, add in a window, view).
    var leadField = form.elements.namedItem("lead_image");
    if (leadField && leadField.tagName === "SELECT") {
        var leadButton = document.createElement("button");
        leadButton.type = "button";
        leadButton.className = "button picker-lead";
        leadButton.dataset.picker = "image";
        leadButton.dataset.pickerTarget = "lead_image";
        leadButton.textContent = "Choose or upload a lead picture";
        var leadWidget = leadField.closest(".related-widget-wrapper") || leadField;
        leadWidget.parentNode.insertBefore(leadButton, leadWidget.nextSibling);
    }

    var imageSearch = imageDialog.querySelector("#image-search");
    var grid = imageDialog.querySelector("[data-image-grid]");
    var imageStatus = imageDialog.querySelector("[data-image-status]");
    var pageButtons = imageDialog.querySelectorAll("[data-image-page]");
    var current = {term: "", page: 1};

    function search(term, page) {
        current = {term: term, page: page};
        var query = new URLSearchParams({q: term, page: page});
        imageStatus.textContent = "Searching…";
        fetch(root.dataset.imagesUrl + "?" + query, {credentials: "same-origin"})
            .then(function (response) {
                if (!response.ok) { throw new Error(response.status); }
                return response.json();
            })
            .then(function (data) {
                if (current.term !== term || current.page !== page) { return; }
                grid.replaceChildren.apply(grid, data.results.map(imageItem));
                imageStatus.textContent = data.results.length ?
                    "Page " + data.page + ": " + data.results.length + " image" +
                    (data.results.length > 1 ? "s" : "") + (term ? " matching “" + term + "”." : ".") :
                    (term ? "No image matches “" + term + "”." : "The library has no images yet.");
                pageButtons[0].hidden = data.page <= 1;
                pageButtons[1].hidden = !data.has_next;
            })
            .catch(function () { imageStatus.textContent = "The library could not be searched. Try again."; });
    }
    // The image chosen or uploaded: the lead image when the dialog was opened for it
    // (the focus goes back to its button), else a marker at the body's cursor.
    function place(image) {
        if (leadTarget) {
            close(imageDialog, false);
            choose(leadTarget, image.id, image.name);
            return;
        }
        close(imageDialog, true);
        insert("[[image:" + image.key + "]]");
    }
    function imageItem(image) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "picker__image";
        var picture;
        if (image.thumbnail) {
            picture = document.createElement("img");
            picture.src = image.thumbnail;
            picture.alt = "";  // the button's text names the image
            picture.loading = "lazy";
        } else {
            picture = document.createElement("span");
            picture.className = "picker__missing";
            picture.textContent = "Picture missing";
        }
        var name = document.createElement("span");
        name.className = "picker__key";
        name.textContent = image.key;
        var words = document.createElement("span");
        words.className = "picker__about";
        words.textContent = image.caption || image.alt_text || (image.is_decorative ? "Decorative" : "No alt text");
        button.append(picture, name, words);
        button.addEventListener("click", function () {
            place(image);
        });
        item.appendChild(button);
        return item;
    }
    imageDialog.querySelector("[data-image-search]").addEventListener("submit", function (event) {
        event.preventDefault();
        search(imageSearch.value.trim(), 1);
    });
    pageButtons.forEach(function (button) {
        button.addEventListener("click", function () {
            search(current.term, current.page + Number(button.dataset.imagePage));
        });
    });

    // Upload: by the file button, by dropping a file on the dialog or the body, or by
    // pasting one into the body or the dialog. The words are asked for before anything
    // is sent, and the server judges the file as the image admin would.
    var upload = imageDialog.querySelector("[data-upload-form]");
    if (!upload) { return; }  // no permission to add images
    var fileInput = upload.querySelector("#upload-file");
    var chosen = upload.querySelector("[data-upload-chosen]");
    var altInput = upload.querySelector("#upload-alt");
    var decorative = upload.querySelector("#upload-decorative");

    function takeFile(file) {
        var transfer = new DataTransfer();
        transfer.items.add(file);
        fileInput.files = transfer.files;
        showChosen();
        if (!imageDialog.open) { open(imageDialog, document.activeElement); }
        altInput.focus();
    }
    function showChosen() {
        var file = fileInput.files[0];
        chosen.textContent = file ? "Chosen: " + (file.name || "pasted picture") +
            " (" + Math.ceil(file.size / 1024) + " KB). Now describe it, then upload." : "";
    }
    fileInput.addEventListener("change", showChosen);
    decorative.addEventListener("change", function () {
        altInput.disabled = decorative.checked;
    });
    // The first file carried, whatever its type says: the server judges it by its
    // content, and a file dropped on the page must never be opened in place of the form.
    function fileIn(transfer) {
        return transfer && transfer.files && transfer.files.length ? transfer.files[0] : null;
    }
    // The body's row holds the textarea or the editor that stands in for it.
    [imageDialog, bodyRow].forEach(function (zone) {
        zone.addEventListener("dragover", function (event) {
            if (Array.prototype.indexOf.call(event.dataTransfer.types, "Files") === -1) { return; }
            event.preventDefault();
            zone.classList.add("picker-drop");
        });
        zone.addEventListener("dragleave", function () { zone.classList.remove("picker-drop"); });
        zone.addEventListener("drop", function (event) {
            zone.classList.remove("picker-drop");
            var file = fileIn(event.dataTransfer);
            if (!file) { return; }
            event.preventDefault();
            takeFile(file);
        });
        zone.addEventListener("paste", function (event) {
            var file = fileIn(event.clipboardData);
            if (!file) { return; }  // text pastes as text
            event.preventDefault();
            takeFile(file);
        });
    });
    upload.addEventListener("submit", function (event) {
        event.preventDefault();
        clearErrors(imageDialog);
        var file = fileInput.files[0];
        if (!file) {
            showError(imageDialog, "Choose a picture first.");
            fileInput.focus();
            return;
        }
        if (!altInput.value.trim() && !decorative.checked) {
            showError(imageDialog, "Say what the picture shows, or tick “Decorative”.");
            altInput.focus();
            return;
        }
        var data = new FormData();
        data.append("file", file, file.name || "pasted-picture");
        data.append("alt_text", decorative.checked ? "" : altInput.value.trim());
        if (decorative.checked) { data.append("is_decorative", "on"); }
        data.append("caption", upload.querySelector("#upload-caption").value.trim());
        data.append("credit", upload.querySelector("#upload-credit").value.trim());
        var button = upload.querySelector("button[type=submit]");
        button.disabled = true;
        chosen.textContent = "Uploading…";
        post(root.dataset.uploadUrl, data).then(function (answer) {
            button.disabled = false;
            if (!answer.ok) {
                showChosen();
                showError(imageDialog, errorText(answer.result, {
                    file: "Picture", alt_text: "Alt text", caption: "Caption", credit: "Credit", key: "Name"
                }));
                return;
            }
            upload.reset();
            altInput.disabled = false;
            chosen.textContent = "";
            place(answer.result);
        });
    });
});
