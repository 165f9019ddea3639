from .apis import meetings, referrals, sharing

urlpatterns = referrals.urlpatterns + meetings.urlpatterns + sharing.urlpatterns
