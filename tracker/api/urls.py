"""The API's URLs, under /api/ (a contract: clients depend on these paths)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from tracker.api import assignments, ledger_views, progress_views, views, workflow

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
router.register("assignments", assignments.AssignmentViewSet, basename="assignment")

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
    # Ledgers (tracker/api/ledger_views.py), before the router's detail routes.
    path(
        "reports/template.xlsx",
        ledger_views.ProgressTemplateView.as_view(),
        name="report-template-xlsx",
    ),
    path("reports/import/", ledger_views.ProgressImportView.as_view(), name="report-import"),
    re_path(
        r"^plans/(?P<pk>[0-9]+)/export\.xlsx$",
        ledger_views.PlanExportView.as_view(),
        name="plan-export-xlsx",
    ),
    path("plans/import/", ledger_views.PlanImportView.as_view(), name="plan-import"),
    # The monthly bulletin as .docx: a file name, so no trailing slash.
    re_path(
        r"^regions/(?P<id_or_slug>[^/.]+)/bulletin\.docx$",
        views.RegionViewSet.as_view({"get": "bulletin"}),
        name="region-bulletin",
    ),
    re_path(
        r"^towns/(?P<id_or_slug>[^/.]+)/bulletin\.docx$",
        views.TownViewSet.as_view({"get": "bulletin"}),
        name="town-bulletin",
    ),
    path("token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline:
    # the pages' CSP allows no inline script (tracker/csp.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
