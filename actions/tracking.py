"""The one way a service saves or deletes a tracked object: validated, with its history row.

django-simple-history writes a historical row on each save() and delete(); these helpers name
the acting user and the reason on it, also when there is no request (imports, commands), and
validate the object with Django's own full_clean() (fields, clean(), unique and check
constraints) before it reaches the database.
"""

# simple-history's change reason column is a CharField(max_length=100).
CHANGE_REASON_MAX = 100


def attribute(instance, acting_user, reason):
    """Name the acting user and the reason on the historical row the next write adds."""
    instance._history_user = acting_user
    instance._change_reason = str(reason)[:CHANGE_REASON_MAX]


def save_tracked(instance, acting_user, reason, *, validate=True):
    attribute(instance, acting_user, reason)
    if validate:
        instance.full_clean()
    instance.save()
    return instance


def delete_tracked(instance, acting_user, reason):
    attribute(instance, acting_user, reason)
    instance.delete()
