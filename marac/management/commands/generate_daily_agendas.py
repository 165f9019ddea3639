"""Generate daily meeting agendas now, in this process (not through the broker)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from publicprotection.accounts.models import Team
from publicprotection.london_time import london_today

from ...services.agendas import agenda_generate


class Command(BaseCommand):
    help = "Generate the daily risk management meeting agendas (every team, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Meeting date, YYYY-MM-DD (default: today, London)")
        parser.add_argument("--borough", help="Team code, e.g. LAM, or CEN for the central team")
        parser.add_argument(
            "--force", action="store_true", help="Rebuild agendas that are already ready"
        )

    def handle(self, *args, date=None, borough=None, force=False, **options):
        meeting_date = self._date(date)
        teams = Team.objects.order_by("code")
        if borough:
            teams = teams.filter(code=borough.upper())
            if not teams.exists():
                raise CommandError(f"No team with the code {borough!r}.")
        failures = 0
        for team in teams:
            try:
                agenda = agenda_generate(team=team, meeting_date=meeting_date, force=force)
            except Exception as exc:  # reported, and the other teams still run
                failures += 1
                self.stderr.write(f"{team.code} {meeting_date}: failed: {exc}")
                continue
            self.stdout.write(
                f"{team.code} {meeting_date}: {agenda.status}, {agenda.total_items} items, "
                f"{agenda.file.name}"
            )
        if failures:
            raise CommandError(f"{failures} agenda(s) failed.")

    @staticmethod
    def _date(value: str | None):
        if not value:
            return london_today()
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD.") from exc
