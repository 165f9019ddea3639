from .apis import actions, meetings, packs, referrals, research, sharing

urlpatterns = referrals.urlpatterns + meetings.urlpatterns + sharing.urlpatterns
urlpatterns += actions.urlpatterns + research.urlpatterns
urlpatterns += packs.urlpatterns
