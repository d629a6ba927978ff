import sys

from vinegym.cli import main

sys.exit(main())
