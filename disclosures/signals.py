from django.dispatch import Signal

# Sent when the register or an author's interests changed in the admin: scheduled
# articles must go out with them as they now stand, and the workflow, which records what
# articles carry (articles.services), listens. Arguments: sender=the model changed.
register_changed = Signal()
