"""Settings for the test suite: ``QZ_ENV=test`` plus a fast password hasher."""

import os

os.environ["QZ_ENV"] = "test"

from qingzhuang.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
