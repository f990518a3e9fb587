"""Which CERs a file may name, and reading the «cer» column against them.

On a CER's own import page every row must name that CER; in the admin, any CER the user may
change. A CER outside the scope gets the same message whether it exists or not, so the import
reveals nothing about CERs the user may not see.
"""

from django.utils.translation import gettext as _

from actions.spreadsheets.imports.columns import normalize, text
from actions.spreadsheets.imports.errors import CellError
from clusters import permissions as roles
from clusters.models import Cluster

# How many CER identifiers an error message lists.
LISTED = 12


class ClusterScope:
    def __init__(self, *, user, cluster=None, permission="record"):
        self.page_cluster = cluster
        if cluster is not None:
            clusters = [cluster]
        else:
            queryset = Cluster.objects.order_by("slug")
            allowed = (
                roles.recordable_cluster_ids(user)
                if permission == "record"
                else (None if roles.is_admin(user) else frozenset())
            )
            if allowed is not None:
                queryset = queryset.filter(id__in=allowed)
            clusters = list(queryset)
        self.clusters = clusters
        self._by_word = {}
        for item in clusters:
            self._by_word.setdefault(normalize(item.slug), item)
            self._by_word.setdefault(normalize(item.name), item)

    @property
    def ids(self):
        return [item.id for item in self.clusters]

    def find(self, value):
        """The CER a cell names (by identifier or by name), or CellError."""
        word = normalize(text(value))
        if not word:
            raise CellError(
                _("está vacía; indique el CER por su identificador (p. ej. «%(slug)s»).")
                % {"slug": self.example_slug()},
                show_value=False,
            )
        found = self._by_word.get(word)
        if found is None:
            raise CellError(self.unknown_message())
        return found

    def example_slug(self):
        return self.clusters[0].slug if self.clusters else "metalmecanica"

    def unknown_message(self):
        if self.page_cluster is not None:
            return _(
                "no es el CER de esta página: aquí solo se importan filas de «%(name)s» (%(slug)s)."
            ) % {"name": self.page_cluster.name, "slug": self.page_cluster.slug}
        if not self.clusters:
            return _("no es un CER en el que usted pueda importar datos.")
        slugs = [item.slug for item in self.clusters[:LISTED]]
        more = "…" if len(self.clusters) > LISTED else ""
        return _("no es un CER conocido; use uno de: %(slugs)s%(more)s.") % {
            "slugs": ", ".join(slugs),
            "more": more,
        }
