"""API authentication: the browser's session, or a per-user bearer token for scripts."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from qingzhuang.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from qingzhuang.accounts.queries import is_locked_out


class BearerTokenAuth(HttpBearer):
    """A token of an active account that django-axes does not lock out: deactivating an account,
    or five failed sign-ins, stops its tokens as it stops its sign-in (until unlocked or cooled off)."""

    def authenticate(self, request, token: str):
        if not token.startswith(TOKEN_PREFIX):
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None or is_locked_out(found.user.username):
            return None
        # A cheap conditional write: at most one UPDATE a minute per token.
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class VerifiedSessionAuth(SessionAuth):
    """Session auth that, like the pages, demands the second factor where it is required."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        from qingzhuang.accounts.middleware import needs_second_factor

        if needs_second_factor(user):
            return None
        return user
