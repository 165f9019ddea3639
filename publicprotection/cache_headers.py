"""No copy of a page or an API answer kept by a browser or a proxy."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every answer the application gives says `Cache-Control: no-store` (with no-cache,
    must-revalidate, private and max-age=0): they carry OFFICIAL-SENSITIVE case data, and a
    browser's back button or disk cache, or a shared proxy, would show it to whoever comes
    next. File downloads, redirects, errors and the lockout page included: the rule is simpler
    to trust without exceptions. Static assets never get here: WhiteNoise, above this
    middleware, serves them with their own long-lived headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
