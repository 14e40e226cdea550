"""The ranking (晾晒) endpoints' query and answer: tracker/ranking.py builds the figures."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

RATE = {"max_digits": None, "decimal_places": 2, "allow_null": True}


class RankingQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    period = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "A reporting period's id: the reporting rates are of that period (the periods "
            "starting the same day in every town's plan)."
        ),
    )


class TownRankingQuerySerializer(RankingQuerySerializer):
    by = serializers.ChoiceField(
        choices=[("department", "department"), ("leader", "leader")],
        default="department",
        help_text=_("Rank the town's departments, or its leaders in charge (分管领导)."),
    )


class RedTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()
    assigned = serializers.BooleanField(help_text=_("A receipt of an assigned task (交办)."))


class StandingSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        allow_null=True, help_text=_("Equal figures share a rank; null: no targets.")
    )
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField(help_text=_("A town's slug; empty for a department."))
    name = serializers.CharField()
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    target_count = serializers.IntegerField()
    reported_count = serializers.IntegerField(help_text=_("Targets with a progress update."))
    completion_rate = serializers.DecimalField(
        help_text=_("Mean percent complete over every target, capped at 100; unreported is 0."),
        **RATE,
    )
    on_pace_share = serializers.DecimalField(
        help_text=_("Percent of targets achieved or on track."), **RATE
    )
    red_count = serializers.IntegerField()
    assigned_count = serializers.IntegerField(
        help_text=_("Receipts of tasks assigned to the unit (交办), counted among its targets.")
    )
    unsigned_late_count = serializers.IntegerField(
        help_text=_("Of those, not signed for (签收) by their sign-by date.")
    )
    reports_owed = serializers.IntegerField(source="owed")
    reports_submitted = serializers.IntegerField(source="submitted")
    reports_on_time = serializers.IntegerField(source="on_time")
    reporting_rate = serializers.DecimalField(
        help_text=_("填报率: percent of the reports owed that came."), **RATE
    )
    on_time_rate = serializers.DecimalField(
        help_text=_("及时率: percent of the reports owed that came by their due date."), **RATE
    )
    turnaround_days = serializers.DecimalField(
        max_digits=None,
        decimal_places=1,
        allow_null=True,
        help_text=_("Mean days from submission to approval."),
    )
    red_targets = RedTargetSerializer(many=True)


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    today = serializers.DateField(help_text=_("The day the statuses are judged on."))
    period = serializers.SerializerMethodField()
    target_count = serializers.IntegerField()
    reported_count = serializers.IntegerField()
    standings = StandingSerializer(many=True)

    def get_period(self, ranking) -> dict | None:
        period = ranking.period
        if period is None:
            return None
        return {
            "id": period.pk,
            "label": period.label,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "due_on": period.due_on.isoformat(),
        }
