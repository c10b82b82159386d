"""Make the renditions of images that existed before renditions did (the seed's).

Uses the historical models; the Pillow work is pictures.renditions' (pure functions
of a picture), so images uploaded before and after this migration get the same files.
Reverse: remove every rendition and its file.
"""

from django.db import migrations

from pictures.renditions import ensure_renditions


def make(apps, schema_editor):
    Image = apps.get_model("articles", "Image")
    Rendition = apps.get_model("articles", "Rendition")
    for image in Image.objects.prefetch_related("renditions"):
        if image.file:
            ensure_renditions(image, rendition_model=Rendition)


def remove(apps, schema_editor):
    Rendition = apps.get_model("articles", "Rendition")
    for rendition in Rendition.objects.all():
        rendition.file.delete(save=False)
    Rendition.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_fill_search_vectors")]

    operations = [migrations.RunPython(make, remove)]
