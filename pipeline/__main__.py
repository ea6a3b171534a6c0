"""`python -m pipeline` is the `pubcom` command."""
from .cli import main

raise SystemExit(main())
