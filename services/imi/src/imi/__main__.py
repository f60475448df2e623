"""`python -m imi`: check settings, then serve on IMI_HOST:IMI_PORT.

`python -m imi migrate-v2 ...` runs the one-off import of iMi v2's database instead
(`imi.migrate_v2`): a management command, since it writes to the database directly.
"""

import sys

from envelope import serve
from imi.migrate_v2 import main as migrate_v2
from imi.settings import ImiSettings

if sys.argv[1:2] == ["migrate-v2"]:
    sys.exit(migrate_v2(sys.argv[2:]))
serve(ImiSettings, "imi.main:create_app")
