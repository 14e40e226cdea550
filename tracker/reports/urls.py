"""The report pages' URLs (included at the site root by planning/urls.py)."""

from django.urls import path

from tracker.reports import tasks, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("towns/<slug:slug>/<int:year>/", views.plan_report, name="plan"),
    path("towns/<slug:slug>/<int:year>/targets.csv", views.plan_csv, name="plan-csv"),
    path("towns/<slug:slug>/<int:year>/targets.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("regions/<slug:slug>/<int:year>/", views.region_report, name="region"),
    # The reporting workflow (tracker/reports/tasks.py): signed-in users only.
    path("login/", tasks.LoginView.as_view(), name="login"),
    path("logout/", tasks.LogoutView.as_view(), name="logout"),
    path("tasks/", tasks.my_tasks, name="tasks"),
    path("tasks/<int:target_id>/<int:period_id>/", tasks.report_form, name="report-form"),
    path("duban/", tasks.duban, name="duban"),
    path("duban/reports/<int:pk>/", tasks.review, name="review"),
]
