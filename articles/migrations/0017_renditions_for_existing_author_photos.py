"""Make the renditions of author photos uploaded before photos had any (the seed's).

Uses the historical models; the Pillow work is pictures.renditions' (as in 0006), so
photos uploaded before and after this migration get the same files.
A photo whose file cannot be read (missing from this machine's media) is skipped
rather than failing the deploy: `manage.py renditions` lists it, and pages show the
original until it is fixed.
Reverse: remove the author photos' renditions and their files.
"""

from django.db import migrations

from pictures.renditions import ensure_renditions


def make(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    Rendition = apps.get_model("articles", "Rendition")
    for author in Author.objects.exclude(photo="").prefetch_related("photo_renditions"):
        try:
            ensure_renditions(author, rendition_model=Rendition)
        except OSError:
            continue


def remove(apps, schema_editor):
    Rendition = apps.get_model("articles", "Rendition")
    photos = Rendition.objects.filter(author__isnull=False)
    for rendition in photos:
        rendition.file.delete(save=False)
    photos.delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_author_photo_renditions")]

    operations = [migrations.RunPython(make, remove)]
