from django.urls import path

from authors import views

app_name = "authors"

urlpatterns = [
    path("authors/<slug:slug>/", views.author_detail, name="detail"),
]
