from django.urls import path

from actions.views import activity, dashboard, evidence, home, imports, my_work, search

urlpatterns = [
    path("", home.home, name="home"),
    path("my-work/", my_work.my_work, name="my-work"),
    path("search/", search.search, name="search"),
    path("clusters/<slug:slug>/", dashboard.cluster_dashboard, name="cluster-dashboard"),
    path("clusters/<slug:slug>/plan/", dashboard.cluster_plan, name="cluster-plan"),
    path("clusters/<slug:slug>/timeline/", dashboard.cluster_timeline, name="cluster-timeline"),
    path("clusters/<slug:slug>/obstacles/", dashboard.cluster_obstacles, name="cluster-obstacles"),
    path("activities/<int:pk>/", activity.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/update/", activity.activity_update, name="activity-update"),
    path("activities/<int:pk>/revise/", activity.activity_revise, name="activity-revise"),
    path(
        "activities/<int:pk>/responsible/",
        activity.activity_responsible,
        name="activity-responsible",
    ),
    path("goals/<int:pk>/measure/", activity.goal_measure, name="goal-measure"),
    path("evidence/<int:pk>/", evidence.evidence_download, name="evidence-download"),
    # Spreadsheets (actions/views/imports.py): import with preview and confirm, templates, exports.
    path("clusters/<slug:slug>/import/<slug:kind>/", imports.cluster_import, name="cluster-import"),
    path(
        "clusters/<slug:slug>/import/<slug:kind>/preview/<str:token>/",
        imports.cluster_import_preview,
        name="cluster-import-preview",
    ),
    path(
        "clusters/<slug:slug>/import/<slug:kind>/confirm/<str:token>/",
        imports.cluster_import_confirm,
        name="cluster-import-confirm",
    ),
    path(
        "clusters/<slug:slug>/import/<slug:kind>/template.xlsx",
        imports.cluster_import_template,
        name="cluster-import-template",
    ),
    path(
        "clusters/<slug:slug>/export/plan.xlsx",
        imports.cluster_export_plan,
        name="cluster-export-plan",
    ),
    path(
        "clusters/<slug:slug>/export/progress.csv",
        imports.cluster_export_progress,
        name="cluster-export-progress",
    ),
    path(
        "clusters/<slug:slug>/export/progress.xlsx",
        imports.cluster_export_progress_xlsx,
        name="cluster-export-progress-xlsx",
    ),
]
