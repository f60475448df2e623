"""`python -m mimir`: check settings, then serve on MIMIR_HOST:MIMIR_PORT."""

from envelope import serve
from mimir.main import create_app
from mimir.settings import MimirSettings

serve(MimirSettings, create_app)
