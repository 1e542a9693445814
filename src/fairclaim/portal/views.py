import tempfile

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from fairclaim.accounts.throttle import VERIFY_PER_ADDRESS, locked_until, record_failure

from .forms import EvidenceUploadForm
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


@require_http_methods(["GET", "POST"])
def verify_evidence(request):
    """Public: check an evidence bundle's hashes, signature and timestamp against our key."""
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    verification = None
    if request.method == "POST":
        address = request.META.get("REMOTE_ADDR", "")
        now = timezone.now()
        if locked_until(VERIFY_PER_ADDRESS, address, now):
            return render(request, "portal/verify_evidence.html", {"form": form, "throttled": True},
                          status=429)  # fmt: skip
        record_failure(VERIFY_PER_ADDRESS, address, now)  # every check counts, not just failures
        if form.is_valid():
            upload = form.cleaned_data["bundle"]
            if upload.size > settings.FAIRCLAIM_MAX_EVIDENCE_BYTES:
                form.add_error("bundle", "The file is larger than any fairclaim bundle can be.")
            else:
                verification = check_uploaded_bundle(upload)
    return render(
        request, "portal/verify_evidence.html", {"form": form, "verification": verification}
    )


def check_uploaded_bundle(upload):
    from fairclaim.evidence.verify import verify_bundle

    with tempfile.NamedTemporaryFile(suffix=".wacz") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        public_key = platform_signer().private_key.public_key()
        verification = verify_bundle(handle.name, public_key=public_key)
    verification.subject = upload.name
    return verification
