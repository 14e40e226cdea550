"""The report pages' URLs (included at the site root by planning/urls.py)."""

from django.urls import path

from tracker.reports import (
    assignments,
    chasing,
    ledger_views,
    overview,
    ranking,
    views,
    workflow_views,
)

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("towns/<slug:slug>/<int:year>/", views.plan_report, name="plan"),
    path("towns/<slug:slug>/<int:year>/targets.csv", views.plan_csv, name="plan-csv"),
    path("towns/<slug:slug>/<int:year>/targets.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("regions/<slug:slug>/<int:year>/", views.region_report, name="region"),
    # 晾晒: towns of a region and departments of a town ranked (tracker/reports/ranking.py).
    path("regions/<slug:slug>/<int:year>/ranking/", ranking.region_ranking, name="region-ranking"),
    path(
        "regions/<slug:slug>/<int:year>/ranking.xlsx",
        ranking.region_ranking_xlsx,
        name="region-ranking-xlsx",
    ),
    path("towns/<slug:slug>/<int:year>/ranking/", ranking.town_ranking, name="town-ranking"),
    path(
        "towns/<slug:slug>/<int:year>/ranking.xlsx",
        ranking.town_ranking_xlsx,
        name="town-ranking-xlsx",
    ),
    # The leaders' overview (领导驾驶舱): tracker/reports/overview.py.
    path(
        "regions/<slug:slug>/<int:year>/overview/",
        overview.region_overview,
        name="region-overview",
    ),
    path("towns/<slug:slug>/<int:year>/overview/", overview.town_overview, name="town-overview"),
    # The reporting workflow (tracker/reports/workflow_views.py): signed-in users only.
    path("login/", workflow_views.LoginView.as_view(), name="login"),
    path("logout/", workflow_views.LogoutView.as_view(), name="logout"),
    path("tasks/", workflow_views.my_tasks, name="tasks"),
    path("tasks/grid/", ledger_views.grid_periods, name="grid-periods"),
    path("tasks/grid/<int:period_id>/", ledger_views.grid, name="grid"),
    path(
        "tasks/grid/<int:period_id>/template.xlsx",
        ledger_views.grid_template,
        name="grid-template",
    ),
    path("tasks/grid/<int:period_id>/upload/", ledger_views.grid_upload, name="grid-upload"),
    path("towns/<slug:slug>/<int:year>/breakdown/", ledger_views.plan_breakdown, name="breakdown"),
    path("tasks/<int:target_id>/<int:period_id>/", workflow_views.report_form, name="report-form"),
    path("duban/", workflow_views.duban, name="duban"),
    # 交办: tasks assigned down the hierarchy (tracker/reports/assignments.py).
    path("assignments/", assignments.assignment_list, name="assignments"),
    path("assignments/new/", assignments.assignment_new, name="assignment-new"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment"),
    path(
        "assignments/<int:pk>/sign/<int:target_id>/",
        assignments.assignment_sign,
        name="assignment-sign",
    ),
    path("duban/reports/<int:pk>/", workflow_views.review, name="review"),
    path("duban/chase/<int:target_id>/", chasing.chase, name="chase"),
]
