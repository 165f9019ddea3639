"""Which roles may do what. Views and API views name a capability, never a list of roles."""

from publicprotection.accounts.models import Role

# Roles that see individual case records (within their scope). Not analysts: they see trends,
# compliance and de-identified rows only (reports/), never names, dates of birth, addresses
# or case pages (DOMAIN.md, "Who uses it").
CASE_READERS = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.MARAC_COORDINATOR, Role.ADMIN})
# Roles that record incidents.
CASE_WRITERS = frozenset({Role.OFFICER, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
MARAC_COORDINATORS = frozenset({Role.MARAC_COORDINATOR})
PARTNERS = frozenset({Role.PARTNER})
ANALYSTS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
AUDITORS = frozenset({Role.ADMIN})
# The force's domestic homicide review lead (London-wide). Central supervisors also work on
# reviews: homicidereviews.selectors.can_work_on_reviews adds them.
REVIEW_LEADS = frozenset({Role.REVIEW_LEAD})
# Roles whose reach is all of London whatever their team.
ALL_LONDON_ROLES = frozenset({Role.ANALYST, Role.ADMIN, Role.REVIEW_LEAD})
# Who may recompute London's trend figures now: readers of the trends whose reach is all of
# London (a borough supervisor reads trends but not for all London; a review lead reaches all
# London but does not read trends).
TRENDS_REFRESHERS = ANALYSTS & ALL_LONDON_ROLES


def has_role(user, roles: frozenset) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)
