"""Nothing medmentor answers is kept by a browser's or a proxy's cache.

Hospital computers are shared: after one person signs out, the next could open the
browser's history or cache and see the previous person's pages, or a page reached by
a personal link (a survey answer, a sign-in link). Rather than list the private pages
(and miss the next one), every response Django makes says `Cache-Control: no-store,
private`: the pages that are not private (the sign-in form, an error page) cost nothing
to fetch again. Static files do not pass through Django in production (the web server
serves them, with their own long cache lifetime), so they are not affected.
"""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # patch_cache_control drops a "public" a view may have set, since "private" wins.
        patch_cache_control(response, no_store=True, private=True)
        return response
