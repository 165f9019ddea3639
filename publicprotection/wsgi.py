import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicprotection.settings.production")
application = get_wsgi_application()

# Import every URLconf, and with them every view, serializer and API module, while the worker
# starts rather than on its first request: that request took 1.8 s instead of 40 ms (each new
# or recycled gunicorn worker's first user waited for the imports).
get_resolver().url_patterns  # noqa: B018 (the property imports the URLconfs)

# What start-up made (modules, settings, URL patterns: about 130,000 objects) lives as long as
# the worker: moved out of the cycle collector's view, its full collections no longer walk
# them. Such a collection, now and then in a request, took 100-150 ms with them and 6-24 ms
# without (benchmarks/README.md, session 13): the slowest requests of every page.
gc.collect()
gc.freeze()
