import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairclaim.settings")
application = get_wsgi_application()

# Refuse to serve without the platform keys: in production a missing key file is an error here,
# before the first request, instead of a silently new key (see fairclaim.letters.signing).
from fairclaim.letters.signing import check_platform_keys  # noqa: E402

check_platform_keys()
