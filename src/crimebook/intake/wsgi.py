"""WSGI entry point of the public intake (``crimebook serve --intake-only``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimebook.intake_settings")
application = get_wsgi_application()
