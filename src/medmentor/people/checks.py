"""Deploy checks for sign-in throttling (`medmentor check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxy_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    # BEHIND_PROXY=1 says a proxy forwards every request; without TRUSTED_PROXY_COUNT
    # every client then has the proxy's address, and since lockouts key on the account
    # and address pair, anyone anywhere could lock an account out.
    if settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT <= 0:
        return [
            checks.Warning(
                "BEHIND_PROXY is set but TRUSTED_PROXY_COUNT is 0: sign-in throttling sees "
                "every client at the proxy's address, so anyone could lock an account out.",
                hint="Set TRUSTED_PROXY_COUNT=1 behind nginx configured as in docs/deploy.md.",
                id="medmentor.W001",
            )
        ]
    return []
