"""Images, quotes, speakers and the register move to their own apps (pictures, quotes,
disclosures), which took them over in their first migrations.

State only: the tables stay as they are, under the names they have always had, so an
existing database upgrades by renaming nothing. Organisation leaves in 0030, once the
authors' interests that point to it have moved too."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_fill_article_body_html"),
        ("disclosures", "0001_initial"),
        ("pictures", "0001_initial"),
        ("quotes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="lead_image",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_of",
                        to="pictures.image",
                    ),
                ),
                migrations.DeleteModel(name="Rendition"),
                migrations.DeleteModel(name="Image"),
                migrations.DeleteModel(name="RecordedDisclosure"),
                migrations.DeleteModel(name="Disclosure"),
                migrations.DeleteModel(name="Quote"),
                migrations.DeleteModel(name="Speaker"),
            ],
        ),
    ]
