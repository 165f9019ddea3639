from .apis import reviews

urlpatterns = reviews.urlpatterns
