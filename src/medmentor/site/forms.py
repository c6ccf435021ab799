from django import forms


class SignInForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignInLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email me a sign-in link",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="No password needed: the link signs you in once and expires in 7 days.",
    )
