"""`python -m bot`: the same as the `digestbot` command."""

from bot.cli import main

raise SystemExit(main())
