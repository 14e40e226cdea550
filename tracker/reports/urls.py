"""The report pages' URLs (included at the site root by planning/urls.py)."""

from django.urls import path

from tracker.reports import views, workflow_views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("towns/<slug:slug>/<int:year>/", views.plan_report, name="plan"),
    path("towns/<slug:slug>/<int:year>/targets.csv", views.plan_csv, name="plan-csv"),
    path("towns/<slug:slug>/<int:year>/targets.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("regions/<slug:slug>/<int:year>/", views.region_report, name="region"),
    # The reporting workflow (tracker/reports/workflow_views.py): signed-in users only.
    path("login/", workflow_views.LoginView.as_view(), name="login"),
    path("logout/", workflow_views.LogoutView.as_view(), name="logout"),
    path("tasks/", workflow_views.my_tasks, name="tasks"),
    path("tasks/<int:target_id>/<int:period_id>/", workflow_views.report_form, name="report-form"),
    path("duban/", workflow_views.duban, name="duban"),
    path("duban/reports/<int:pk>/", workflow_views.review, name="review"),
]
