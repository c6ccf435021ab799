"""One settings file, read from the environment, that runs with zero variables set.

Every knob has a safe production default; the demo and the tests turn on what they
need through the same variables (see docs/deploy.md for the full list).
"""

import datetime
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url


def env_text(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_text(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_text("MEDMENTOR_DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    # Without SECRET_KEY, keep one random key per data folder so that every process
    # of one installation (web, worker) signs with the same key, never a known one.
    configured = env_text("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)

# The address people reach the site at; links in emails are built from it, and an
# https address turns on every secure-cookie and HSTS setting.
SITE_URL = env_text("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_text("SITE_NAME", "medmentor")
_site = urlsplit(SITE_URL)
SITE_IS_HTTPS = _site.scheme == "https"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [
    _site.hostname or "127.0.0.1",
    "localhost",
    "127.0.0.1",
]
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "medmentor.apps.MedmentorAdminConfig",  # django.contrib.admin on our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "medmentor.people",
    "medmentor.programs",
    "medmentor.curriculum",
    "medmentor.mentoring",
    "medmentor.groups",
    "medmentor.reverse",
    "medmentor.conferences",
    "medmentor.messaging",
    "medmentor.meetings",
    "medmentor.surveys",
    "medmentor.qualitative",
    "medmentor.site",
    "medmentor.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "medmentor.people.session_refresh.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for too many failures into
    # our refusal page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "medmentor.urls"
WSGI_APPLICATION = "medmentor.wsgi.application"
ASGI_APPLICATION = "medmentor.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "medmentor.people.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_text("DATABASE_URL", f"sqlite:///{DATA_DIR / 'medmentor.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE makes a
    # writer take the lock up front instead of failing half-way with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_text("TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out (account, address) pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Sessions end after 12 hours without use, and when the browser closes. The idle
# timeout is renewed at most every SESSION_REFRESH_INTERVAL seconds of use, so most
# page views do not write the session (medmentor.people.session_refresh).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_REFRESH_INTERVAL = env_int("SESSION_REFRESH_INTERVAL", 5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SIGN_IN_LINK_MAX_AGE = env_int("SIGN_IN_LINK_MAX_AGE", 7 * 24 * 60 * 60)
# Password guessing (django-axes): after this many failed sign-ins for one account from
# one client address within the window, that pair is refused until the window has
# passed since its last failure. Keyed on the pair, so an attacker at one address
# cannot lock the real person out at theirs. See docs/deploy.md, "Sign-in throttling".
SIGN_IN_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
SIGN_IN_FAILURE_WINDOW = env_int("SIGN_IN_FAILURE_WINDOW", 15 * 60)
# "Email me a sign-in link": at most this many per email address, and per client
# address, within SIGN_IN_FAILURE_WINDOW.
SIGN_IN_LINK_REQUESTS_PER_EMAIL = env_int("SIGN_IN_LINK_REQUESTS_PER_EMAIL", 3)
SIGN_IN_LINK_REQUESTS_PER_ADDRESS = env_int("SIGN_IN_LINK_REQUESTS_PER_ADDRESS", 20)
# How many reverse proxies in front of medmentor append to X-Forwarded-For (nginx with
# `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;` is 1). 0 (the default)
# trusts no proxy: the client address is REMOTE_ADDR and X-Forwarded-For is ignored,
# since any client can write that header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(seconds=SIGN_IN_FAILURE_WINDOW)
AXES_RESET_ON_SUCCESS = True
# A refused try does not restart the wait, so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "medmentor.people.client.client_address"
AXES_USERNAME_CALLABLE = "medmentor.people.client.sign_in_username"
AXES_LOCKOUT_CALLABLE = "medmentor.site.views.sign_in_locked_out"
# No log of successful sign-ins (who signed in when, from where) and no admin pages
# for axes' tables: learners' sign-in times are not shown to staff.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False

SESSION_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_SECURE = SITE_IS_HTTPS
SECURE_SSL_REDIRECT = SITE_IS_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SITE_IS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE_IS_HTTPS
SECURE_HSTS_PRELOAD = SITE_IS_HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_text("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_text("MEDIA_ROOT", str(DATA_DIR / "media")))
# A previewed import waits here for its confirm (programs.importing): private files,
# never served. With several web machines, a folder they all share (docs/deploy.md).
PENDING_IMPORTS_DIR = Path(
    env_text("MEDMENTOR_PENDING_IMPORTS_DIR", str(DATA_DIR / "uploads" / "pending-imports"))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_text("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_text("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_text("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_text("DEFAULT_FROM_EMAIL", "medmentor <medmentor@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The worker retries a failed send this many times, waiting longer each time.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6)
# A message a worker claimed and has not finished after this many seconds is taken to
# belong to a dead worker and is sent by another (the crash tests shorten it).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 600)

TASKS = {
    "default": {
        "BACKEND": env_text("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Survey links carry a respondent's token: the loggers that write request paths redact
# them at the source, so no handler (console, admin email) sees them; our console
# handler redacts whatever else reaches it (medmentor.surveys.log_filters).
_SURVEY_LINKS = ["survey_links"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"survey_links": {"()": "medmentor.surveys.log_filters.SurveyLinkFilter"}},
    "formatters": {
        # Django's own runserver format, restated because its logger is configured here.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": _SURVEY_LINKS},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_text("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": _SURVEY_LINKS},
        "django.security.csrf": {"filters": _SURVEY_LINKS},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": _SURVEY_LINKS,
        },
    },
}

# --- Headers: no caching, Content Security Policy, local API docs (issue 9) ---------------
# Kept in one block: these settings add to the lists above rather than rewrite them.

# ninja in INSTALLED_APPS makes /api/docs load Swagger UI from our own static files
# (ninja/static/ninja/), not from a CDN that hospital networks block. Its page has no
# inline script: the settings sit in a JSON <script type="application/json"> that the
# browser never runs, read by ninja's own swagger-ui-init.js.
INSTALLED_APPS += ["ninja", "csp"]
_SECURITY = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE[_SECURITY + 1 : _SECURITY + 1] = [
    # Shared hospital computers: no page is kept in the browser's cache (see the module).
    "medmentor.people.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
]

_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        # No inline script and no eval anywhere: an answer, a name or a template that
        # smuggles in <script> or onclick= cannot run (tests/test_content_security.py).
        "script-src": [_SELF],
        # Style sheets and <style> elements only from our files. Style *attributes* are
        # allowed: matplotlib's inline SVG charts colour every bar through style="...",
        # with values that vary per chart (so 'unsafe-hashes' cannot list them), and the
        # codebook shows each code's own colour. A style attribute cannot run script or
        # read the page (that needs selectors, i.e. a <style> element, still refused).
        "style-src": [_SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
        "base-uri": [_NONE],
        "object-src": [_NONE],
    },
}
