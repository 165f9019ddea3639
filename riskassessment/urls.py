from .views import assessments, people, plans, reviews

app_name = "riskassessment"

urlpatterns = assessments.urlpatterns + reviews.urlpatterns + people.urlpatterns + plans.urlpatterns
