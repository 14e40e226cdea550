from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from tracker.choices import Role
from tracker.models import Membership, Region, Town


class Command(BaseCommand):
    help = (
        "Give a user (created if new, without a password) a role in a town or a region and "
        "print their API token on standard output. Running it again prints the same token. "
        "Example: TOKEN=$(python manage.py create_reporter xiqiao-stats --town xiqiao)"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--town", metavar="SLUG", help="the town the user works for")
        where.add_argument(
            "--region", metavar="SLUG", help="a region whose towns the user reads (viewer)"
        )
        parser.add_argument(
            "--role",
            choices=Role.values,
            help="reporter (default for a town), editor, reviewer or viewer (a region's only role)",
        )

    @transaction.atomic
    def handle(self, *args, username: str, town: str, region: str, role: str, **options) -> None:
        username = username.strip()
        if not username:
            raise CommandError("the username is empty")
        if town is not None:
            place = Town.objects.filter(slug=town).first()
            if place is None:
                raise CommandError(f"no town with the slug {town!r}")
            role = role or Role.REPORTER
            where = {"town": place}
        else:
            place = Region.objects.filter(slug=region).first()
            if place is None:
                raise CommandError(f"no region with the slug {region!r}")
            if role not in (None, Role.VIEWER):
                raise CommandError("a region's users are viewers; roles that write are a town's")
            role = Role.VIEWER
            where = {"region": place}
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()  # it signs in with its token only
            user.save(update_fields=["password"])
        membership = Membership.objects.filter(user=user, role=role, **where).first()
        if membership is None:
            membership = Membership(user=user, role=role, **where)
            try:
                membership.full_clean()
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            membership.save()
            self.stderr.write(f"{username}: {membership.get_role_display()} of {place}")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
