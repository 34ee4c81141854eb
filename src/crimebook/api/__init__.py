"""REST API (django-ninja) under /api/v1/: same services and selectors as the pages."""
