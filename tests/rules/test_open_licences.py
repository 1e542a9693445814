"""What a licence name or URL says (CC, CC0, public domain, GPL ...), and whether a page names the
licence a work is published under."""

import pytest

from fairclaim.rules.open_licences import classify, same_licence


@pytest.mark.parametrize(
    ("text", "url", "kind", "name"),
    [
        ("CC BY 4.0", None, "cc", "CC BY 4.0"),
        ("Creative Commons Attribution-ShareAlike 4.0", None, "cc", "CC BY-SA 4.0"),
        ("cc by nc 2.0", None, "cc", "CC BY-NC 2.0"),
        (None, "https://creativecommons.org/licenses/by-nc-nd/4.0/", "cc", "CC BY-NC-ND 4.0"),
        ("CC0 1.0 Universal", None, "cc0", "CC0 1.0"),
        (None, "https://creativecommons.org/publicdomain/zero/1.0/", "cc0", "CC0 1.0"),
        ("Public Domain Mark 1.0", None, "public_domain", "Public Domain"),
        ("gemeinfrei", None, "public_domain", "Public Domain"),
        (None, "https://creativecommons.org/publicdomain/mark/1.0/", "public_domain",
         "Public Domain"),
        ("GPL-3.0-or-later", None, "open", "GPL"),
        ("GNU Lesser General Public License", None, "open", "LGPL"),
        (None, "https://www.gnu.org/licenses/fdl-1.3.html", "open", "GFDL"),
        ("© 2024 Anna Berg. All rights reserved.", None, None, None),
        ("INV-2024-031", None, None, None),
        # the URL is the stronger evidence
        ("CC BY 4.0", "https://creativecommons.org/licenses/by-sa/4.0/", "cc", "CC BY-SA 4.0"),
    ],
)  # fmt: skip
def test_classify(text, url, kind, name):
    found = classify(text, url)
    assert (found.kind if found else None) == kind
    assert (found.name if found else None) == name


def test_same_licence_compares_the_conditions_not_the_version():
    work = classify("CC BY-SA 4.0")
    assert same_licence(work, classify("CC BY-SA 3.0"))
    assert same_licence(work, classify(None, "https://creativecommons.org/licenses/by-sa/4.0/"))
    assert not same_licence(work, classify("CC BY 4.0"))
    assert not same_licence(work, None)
    assert same_licence(classify("GPL-3.0"), classify("GNU General Public License"))
    assert not same_licence(classify("GPL-3.0"), classify("LGPL"))
