"""`python -m mimir`: check settings, then serve on MIMIR_HOST:MIMIR_PORT."""

from envelope import serve
from mimir.settings import MimirSettings

serve(MimirSettings, "mimir.main:create_app")
