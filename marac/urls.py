from .views import (
    agendas,
    home,
    incidents,
    meetings,
    minutes,
    packs,
    partners,
    people,
    referrals,
)

app_name = "marac"

urlpatterns = (
    home.urlpatterns
    + agendas.urlpatterns
    + referrals.urlpatterns
    + meetings.urlpatterns
    + partners.urlpatterns
    + minutes.urlpatterns
    + packs.urlpatterns
    + people.urlpatterns
    + incidents.urlpatterns
)
