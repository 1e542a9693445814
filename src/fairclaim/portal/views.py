from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .signing import platform_signer


@require_GET
@cache_control(public=True, max_age=3600)
def signing_key(request):
    """The public half of the platform key: anyone can check evidence bundles and notice PDFs."""
    signer = platform_signer()
    response = HttpResponse(signer.public_key_pem(), content_type="application/x-pem-file")
    response["X-Fairclaim-Key-Id"] = signer.key_id
    response["Access-Control-Allow-Origin"] = "*"
    return response
