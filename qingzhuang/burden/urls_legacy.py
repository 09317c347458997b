"""The burden ledger's paths from before it had its own prefix (/ledger/burden/…): permanent
redirects to the same page under /burden/, query string kept, so old bookmarks still work."""

from django.urls import path
from django.views.generic import RedirectView

app_name = "burden_legacy"


class _Moved(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        query = self.request.META.get("QUERY_STRING", "")
        return "/burden/" + kwargs.get("rest", "") + (f"?{query}" if query else "")


urlpatterns = [
    path("", _Moved.as_view(), name="moved_root"),
    path("<path:rest>", _Moved.as_view(), name="moved"),
]
