"""``python -m alignment`` is the same as the ``alignment`` console script."""

import sys

from alignment.cli import main

sys.exit(main())
