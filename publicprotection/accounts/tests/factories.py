import factory
from django.contrib.auth.models import Group

from publicprotection.accounts.models import Agency, AgencyType, Role, Team, User


def team(code: str) -> Team:
    return Team.objects.get(code=code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    agency_type = factory.LazyFunction(lambda: AgencyType.objects.get(code="idva"))
    group = factory.LazyAttribute(lambda o: Group.objects.create(name=f"agency:{o.name}"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    role = Role.OFFICER
    team = factory.LazyFunction(lambda: team("LAM"))
    password = factory.django.Password("correct-horse-battery")


class PartnerFactory(UserFactory):
    role = Role.PARTNER
    team = None
    agency = factory.SubFactory(AgencyFactory)
