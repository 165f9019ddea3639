"""publicprotection/pdf.py: a PDF is made from its HTML alone, and `css_string` keeps a name
inside a style sheet's string."""

import io

import pytest
from pypdf import PdfReader

from publicprotection.pdf import css_string, html_to_pdf, url_fetcher

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("Lambeth", "Lambeth"),
        ("A & B", "A \\26  B"),
        ("Children's", "Children\\27 s"),
        ('say "no"', "say \\22 no\\22 "),
        ("back\\slash", "back\\5c slash"),
        ("</style>", "\\3c /style\\3e "),
        ("line\nbreak", "line\\a break"),
    ],
)
def test_css_string_escapes_what_could_end_the_string_or_the_style_sheet(name, escaped):
    assert css_string(name) == escaped


def test_a_document_fetches_no_file_and_no_address():
    html = (
        "<p>Report</p>"
        '<link rel="attachment" href="file:///etc/hostname">'
        '<img src="file:///etc/hostname"><img src="http://169.254.169.254/latest/">'
    )

    reader = PdfReader(io.BytesIO(html_to_pdf(html, base_url="http://127.0.0.1:9/")))

    assert reader.attachments == {}
    assert "Report" in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/static/app.css", "file:///etc/passwd", "ftp://x/y"]
)
def test_no_address_is_fetched_but_data(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        url_fetcher().fetch(url)


def test_data_urls_are_still_read():
    fetched = url_fetcher().fetch(PIXEL)

    assert fetched.read()[:4] == b"\x89PNG"
