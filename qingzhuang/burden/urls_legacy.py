"""The burden ledger's paths from before it had its own prefix (/ledger/burden/…): permanent
redirects to the same page under /burden/, query string kept, so old bookmarks still work."""

import re

from django.urls import path
from django.views.generic import RedirectView

app_name = "burden_legacy"
UNIT_PAGE = re.compile(r"[0-9]+/")


class _Moved(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        query = self.request.META.get("QUERY_STRING", "")
        rest = kwargs.get("rest", "")
        if UNIT_PAGE.fullmatch(rest):  # a unit's page was /ledger/burden/<code>/
            rest = "units/" + rest
        return "/burden/" + rest + (f"?{query}" if query else "")


urlpatterns = [
    path("", _Moved.as_view(), name="moved_root"),
    path("<path:rest>", _Moved.as_view(), name="moved"),
]
