from django import forms

from publicprotection.govuk_forms import GovukFormMixin

ALL_OF_LONDON = ""


class HomeBoroughForm(GovukFormMixin, forms.Form):
    """A London-wide coordinator's choice of borough for their home page."""

    borough = forms.ChoiceField(
        label="Borough",
        required=False,
        help_text="The lists below show this borough's work. Your choice is remembered.",
    )

    def __init__(self, *args, boroughs, **kwargs):
        super().__init__(*args, **kwargs)
        self.boroughs = {str(borough.pk): borough for borough in boroughs}
        self.fields["borough"].choices = [(ALL_OF_LONDON, "All of London")] + [
            (str(borough.pk), borough.name) for borough in boroughs
        ]

    def borough_id(self) -> int | None:
        value = self.cleaned_data["borough"]
        return int(value) if value else None
