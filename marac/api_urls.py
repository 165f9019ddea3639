from .apis import meetings, referrals

urlpatterns = referrals.urlpatterns + meetings.urlpatterns
