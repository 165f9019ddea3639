from .views import chronology, recommendations, reviews

app_name = "homicidereviews"

urlpatterns = recommendations.urlpatterns + chronology.urlpatterns + reviews.urlpatterns
