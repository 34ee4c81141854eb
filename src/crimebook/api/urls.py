from django.urls import path

from crimebook.api.main import api

urlpatterns = [path("", api.urls)]
