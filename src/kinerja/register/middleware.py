"""Request-wide rules: the interface language, no caching of pages and answers, the idle timeout.

Indonesian first: the language is the user's explicit choice (cookie set by /i18n/setlang/) or
KINERJA_LANGUAGE, never guessed from the browser's Accept-Language (most office PCs say English)."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone, translation


class LanguageMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        lang = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class NoStoreMiddleware:
    """Every page and API answer may carry case data, so no browser or proxy keeps a copy
    (`Cache-Control: no-store`). Static files never reach this: WhiteNoise, earlier in the chain,
    answers them with its own long-lived caching."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        response = self.get_response(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        return response


class IdleTimeoutMiddleware:
    """Sliding idle timeout: a signed-in session ends SESSION_COOKIE_AGE after its last request.

    Each save moves the session's expiry forward; a request saves it only when the last save is a
    minute old or more, so browsing is not a database write per request (with SQLite that write
    would wait behind a running import)."""

    REFRESH_SECONDS = 60
    KEY = "_kinerja_seen"

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        session = request.session
        if session.get(SESSION_KEY) is not None:
            now = int(timezone.now().timestamp())
            if now - int(session.get(self.KEY, 0)) >= self.REFRESH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return self.get_response(request)
