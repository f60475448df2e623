"""`python -m imi`: check settings, then serve on IMI_HOST:IMI_PORT."""

from envelope import serve
from imi.settings import ImiSettings

serve(ImiSettings, "imi.main:create_app")
