"""Issue a two-factor set-up code at the server's command line: how the first administrator
(made with createsuperuser) sets up their authenticator, and a way in when no administrator
can sign in to the admin site. Everyone else gets theirs from an administrator in the admin
site ("Issue a two-factor set-up code" on the user list)."""

import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publicprotection.accounts.models import User
from publicprotection.accounts.services import two_factor_setup_code_issue
from publicprotection.errors import StateError


class Command(BaseCommand):
    help = (
        "Issue a one-time two-factor set-up code for a user with no authenticator app, and "
        "print it once. It replaces any earlier code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        # The change history records the issue as made at the command line (no actor).
        with pghistory.context(command="two_factor_setup_code"):
            try:
                code = two_factor_setup_code_issue(actor=None, user=user)
            except StateError as error:
                raise CommandError(error.message) from None
        hours = settings.TWO_FACTOR_SETUP_CODE_HOURS
        self.stdout.write(
            f"Two-factor set-up code for {user.username}: {code}\n"
            f"It is shown only this once. It works once, for {hours} hours: give it to "
            f"{user.username} in person or by phone. With their password they set up their "
            "authenticator app at their next sign-in.\n"
        )
