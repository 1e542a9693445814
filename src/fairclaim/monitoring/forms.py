from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WatchList


class SubmitPageForm(forms.Form):
    page_url = forms.URLField(
        label=_("Page address"), max_length=2048, assume_scheme="https",
        help_text=_("The web page where you saw your photo used."),
    )  # fmt: skip
    image_url = forms.URLField(
        label=_("Image address (optional)"), max_length=2048, required=False, assume_scheme="https",
        help_text=_(
            "Right-click the image → Copy image address. Leave empty to check every image."
        ),
    )  # fmt: skip


MAX_START_URLS = 20  # sites per watch list; a longer list is several lists


class WatchListForm(forms.ModelForm):
    """A site (or a few) to scan on a schedule; addresses are checked as web addresses here
    and against the address policy when the crawl fetches them."""

    start_urls_text = forms.CharField(
        label=_("Addresses to scan"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One page or site per line, e.g. https://shop.example/"),
    )  # fmt: skip

    class Meta:
        model = WatchList
        fields = ["name", "max_pages", "interval_hours"]
        labels = {
            "max_pages": _("At most this many pages"),
            "interval_hours": _("Scan every (hours)"),
        }

    def clean_start_urls_text(self):
        field = forms.URLField(max_length=2048, assume_scheme="https")
        lines = [line.strip() for line in self.cleaned_data["start_urls_text"].splitlines()]
        urls = [field.clean(line) for line in lines if line]
        if not urls:
            raise forms.ValidationError("Give at least one address.")
        if len(urls) > MAX_START_URLS:
            raise forms.ValidationError(f"At most {MAX_START_URLS} addresses per list.")
        self.instance.start_urls = urls
        return urls

    def clean_max_pages(self):
        pages = self.cleaned_data["max_pages"]
        if not 1 <= pages <= 5000:
            raise forms.ValidationError("Between 1 and 5,000 pages.")
        return pages

    def clean_interval_hours(self):
        hours = self.cleaned_data["interval_hours"]
        if hours < 1:
            raise forms.ValidationError("At least one hour between scans.")
        return hours
