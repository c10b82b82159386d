from django.contrib import admin

from newsroom.admin_forms import EditorsChangeWhatReadersSee, SafeAutocomplete
from newsroom.forms import CleanTextAdmin
from quotes.models import Speaker


@admin.register(Speaker)
class SpeakerAdmin(CleanTextAdmin, EditorsChangeWhatReadersSee, SafeAutocomplete):
    list_display = ["name", "kind", "description", "organisation", "author"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name", "description", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "author"]
    list_select_related = ["organisation", "author"]
