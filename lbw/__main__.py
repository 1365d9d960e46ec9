"""``python -m lbw …``: the same as the ``lbw`` command."""

import sys

from lbw.cli import main

sys.exit(main())
