"""The report pages' URLs (included at the site root by planning/urls.py)."""

from django.urls import path

from tracker.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("towns/<slug:slug>/<int:year>/", views.plan_report, name="plan"),
    path("towns/<slug:slug>/<int:year>/targets.csv", views.plan_csv, name="plan-csv"),
    path("towns/<slug:slug>/<int:year>/targets.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("regions/<slug:slug>/<int:year>/", views.region_report, name="region"),
]
