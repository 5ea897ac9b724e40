"""`python -m paivystys.gui` starts the console, as the desktop entry does."""

from paivystys.gui.app import main

raise SystemExit(main())
