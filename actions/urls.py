from django.urls import path

from actions.views import activity, dashboard, evidence

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("clusters/<slug:slug>/", dashboard.cluster_dashboard, name="cluster-dashboard"),
    path("clusters/<slug:slug>/plan/", dashboard.cluster_plan, name="cluster-plan"),
    path("clusters/<slug:slug>/timeline/", dashboard.cluster_timeline, name="cluster-timeline"),
    path("activities/<int:pk>/", activity.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/update/", activity.activity_update, name="activity-update"),
    path("activities/<int:pk>/revise/", activity.activity_revise, name="activity-revise"),
    path("goals/<int:pk>/measure/", activity.goal_measure, name="goal-measure"),
    path("evidence/<int:pk>/", evidence.evidence_download, name="evidence-download"),
]
