from .views import recommendations, reviews

app_name = "homicidereviews"

urlpatterns = recommendations.urlpatterns + reviews.urlpatterns
