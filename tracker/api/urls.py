"""The API's URLs, under /api/ (a contract: clients depend on these paths)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from tracker.api import progress_views, views, workflow

app_name = "api"


class Router(DefaultRouter):
    # One spelling per resource (/api/targets/), not also /api/targets.json.
    include_format_suffixes = False
    APIRootView = views.APIRootView


router = Router()
router.register("regions", views.RegionViewSet, basename="region")
router.register("towns", views.TownViewSet, basename="town")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("sections", views.SectionViewSet, basename="section")
router.register("targets", views.TargetViewSet, basename="target")
router.register("progress-updates", progress_views.ProgressUpdateViewSet, basename="progressupdate")
router.register("periods", workflow.PeriodViewSet, basename="period")
router.register("reports", workflow.ReportViewSet, basename="report")

urlpatterns = [
    path(
        "targets/export.csv",
        views.TargetViewSet.as_view({"get": "export_csv"}),
        name="target-export-csv",
    ),
    path(
        "targets/export.xlsx",
        views.TargetViewSet.as_view({"get": "export_xlsx"}),
        name="target-export-xlsx",
    ),
    # Written as the router writes its routes, so that the schema says {id}.
    re_path(
        r"^plans/(?P<pk>[0-9]+)/periods/generate/$",
        workflow.PeriodGenerateView.as_view(),
        name="plan-periods-generate",
    ),
    path("token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
