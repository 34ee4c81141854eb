"""Case pages, included into the workspace URLconf under ``cases/`` (names ``web:case_*``)."""

from django.urls import path

from crimebook.cases import views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/members/", views.case_members, name="case_members"),
    path("<int:pk>/members/remove/", views.case_member_remove, name="case_member_remove"),
    path("<int:pk>/material/add/", views.case_material_add, name="case_material_add"),
    path("<int:pk>/material/remove/", views.case_material_remove, name="case_material_remove"),
    path("<int:pk>/classify/", views.case_classify, name="case_classify"),
    path("<int:pk>/unclassify/", views.case_unclassify, name="case_unclassify"),
    path("<int:pk>/matrix/", views.case_matrix, name="case_matrix"),
    path("<int:pk>/support/add/", views.case_support_add, name="case_support_add"),
    path("<int:pk>/support/remove/", views.case_support_remove, name="case_support_remove"),
    path("<int:pk>/dossier/", views.case_dossier, name="case_dossier"),
]
