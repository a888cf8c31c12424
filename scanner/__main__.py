"""`python -m scanner` runs the command line."""

import sys

from scanner.cli import main

sys.exit(main())
