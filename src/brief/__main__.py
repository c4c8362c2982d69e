from .cli import main

# click would say "python -m brief" in its usage lines and hints; Debian has no `python` command
# unless python-is-python3 is installed, and the README says python3 -m brief.
main(prog_name="python3 -m brief")
