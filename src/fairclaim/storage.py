"""Private file storage: files have no public URL; views stream them after an access check."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Local private folder (S3-compatible storage replaces it past one machine).

    `url()` is refused so a template can never leak a direct link to an upload or evidence file.
    """

    def __init__(self, location=None, **kwargs):
        kwargs["base_url"] = None
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location, **kwargs)

    def url(self, name):
        raise ValueError("private storage has no public URLs; serve files through a checked view")
