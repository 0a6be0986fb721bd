"""``python -m handmade`` runs the command line."""

from handmade.cli import main

main()
