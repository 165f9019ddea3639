from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from publicprotection.govuk_forms import GovukFormMixin


class TokenForm(GovukFormMixin, forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code shown in the app.",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "The code must be 6 digits",
            "max_length": "The code must be 6 digits",
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not (token.isascii() and token.isdecimal()):
            raise forms.ValidationError("The code must be 6 digits")
        return token


def second_factor_field(*, current: bool = False, help_text: str = "") -> forms.CharField:
    """The second factor typed again to prove it is you (a code from the authenticator, or a
    recovery code): replacing the authenticator (`current`: the one being replaced), new
    recovery codes, a new API token."""
    app = "your current authenticator app" if current else "your authenticator app"
    return forms.CharField(
        label=f"Code from {app}, or a recovery code",
        help_text=help_text,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": f"Enter a code from {app}, or one of your recovery codes"},
    )


class ReplaceAuthenticatorForm(TokenForm):
    """Setting up a new authenticator over an existing one: the existing one proves it is you."""

    current_token = second_factor_field(
        current=True, help_text="Your current app keeps working until the new one is confirmed."
    )
    field_order = ["current_token", "token"]


class UnechoedTextInput(forms.TextInput):
    """A text box that never sends its value back in the page: a secret typed into it (a
    set-up code) is not echoed into an error page, its HTML or the browser's cache of it."""

    def format_value(self, value):
        return None


class FirstAuthenticatorForm(TokenForm):
    """Setting up the first authenticator: the set-up code an administrator issued proves that
    the person with the password is the account's owner (ADR 0007)."""

    setup_code = forms.CharField(
        label="Set-up code",
        help_text=(
            "Your administrator gives you this code, in person or by phone. It has 12 letters "
            "and numbers, for example ABCD-EFGH-JKMN. If it has expired or you do not have "
            "one, ask your administrator."
        ),
        max_length=40,
        widget=UnechoedTextInput(
            attrs={
                "class": "govuk-input--width-20",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter the set-up code your administrator gave you",
            "max_length": "The set-up code has 12 letters and numbers",
        },
    )
    field_order = ["setup_code", "token"]


class NewRecoveryCodesForm(GovukFormMixin, forms.Form):
    """New recovery codes stand in for the authenticator: making them needs the same proof as
    replacing it."""

    current_token = second_factor_field()


class RecoveryCodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the codes you saved when you set up two-factor authentication.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter one of your recovery codes"},
    )


class ApiTokenForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Token name",
        help_text="What will use it, so you can tell your tokens apart. For example: case export script.",
        max_length=80,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a name for the token, such as what will use it",
            "max_length": "The name must be 80 characters or fewer",
        },
    )
    current_token = second_factor_field(
        help_text="A token lets a program act as you for weeks, so confirm it is you."
    )

    def __init__(self, *args, needs_code: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_code:  # no authenticator (where two-factor is not required): no code
            del self.fields["current_token"]


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-one-half", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs["class"] = "govuk-input govuk-!-width-one-half"


class ChangePasswordForm(GovukFormMixin, PasswordChangeForm):
    pass
