"""``python -m handmade`` runs the command line."""

from handmade.cli import main

main(prog_name="handmade")  # the usage line names the command, not "__main__.py"
