"""The real URLconf plus the benchmark's baselines and trivial view, under /bench/."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/trivial/", views.trivial),
    path("bench/baseline/targets/", views.target_list),
    path("bench/baseline/plans/<int:pk>/summary/", views.plan_summary),
    path("bench/baseline/regions/<slug:slug>/rollup/", views.region_rollup),
    path("bench/baseline/targets/<int:pk>/history/", views.target_history),
    path("bench/baseline/towns/<slug:slug>/<int:year>/", views.plan_page),
    path("bench/baseline/export/", views.export),
    path("", include("planning.urls")),
]
