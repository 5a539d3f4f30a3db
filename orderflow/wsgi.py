from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from orderflow.core.logmask import mask_server_logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderflow.settings")
application = get_wsgi_application()
# The server's access log shows request lines: customer links' tokens are masked there too.
mask_server_logs()
