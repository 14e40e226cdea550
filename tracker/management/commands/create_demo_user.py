from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-plan-tracker"


class Command(BaseCommand):
    help = (
        "Create (or reset) a demo staff login that may use the whole admin, and print it. "
        "For trying the app on a laptop; never run it on a server."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args, username: str, password: str, **options) -> None:
        if not username.strip() or len(password) < 8:
            raise CommandError("a username and a password of at least 8 characters are needed")
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Demo login: user {username!r}, password {password!r}")
