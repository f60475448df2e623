"""`python -m imi`: check settings, then serve on IMI_HOST:IMI_PORT."""

from envelope import serve
from imi.main import create_app
from imi.settings import ImiSettings

serve(ImiSettings, create_app)
