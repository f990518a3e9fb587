"""Home (/): the CERs the user may see, a page at a time, with their progress and overdue work.

A user with one CER goes straight to its dashboard; one with none gets a friendly page. ``?q=``
searches the CERs by name, identifier (slug) or region; ``?page=`` picks the page, and a page
number out of range or not a number gives the nearest page (Paginator.get_page), as a link
kept from a longer list would expect.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from actions.permissions import readable_clusters
from actions.reporting import plans, rollup

#: CERs on a page of the home page: one screen of cards on a desktop.
CLUSTERS_PER_PAGE = 24
#: The longest search kept; a longer one is cut, not refused.
MAX_QUERY_LENGTH = 100


def search_clusters(clusters, query):
    """The CERs whose name, identifier or region contains ``query`` (any case)."""
    if not query:
        return clusters
    return clusters.filter(
        Q(name__icontains=query) | Q(slug__icontains=query) | Q(region__icontains=query)
    )


@login_required
def home(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    visible = readable_clusters(request.user)
    # The page's CERs first (their ids), then the figures of those only: figures computed
    # for the rows an OFFSET skips would make the last pages of a thousand CERs the slowest.
    found = search_clusters(visible, query).order_by("name", "pk").values_list("pk", flat=True)
    paginator = Paginator(found, CLUSTERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    clusters = list(plans.clusters_overview(visible.filter(pk__in=list(page.object_list))))
    if not query and paginator.count == 1:
        return redirect(clusters[0].get_absolute_url())
    return render(
        request,
        "actions/home.html",
        {
            "clusters": clusters,
            "page_obj": page,
            "paginator": paginator,
            "query": query,
            "due_soon_days": rollup.DUE_SOON_DAYS,
        },
    )
