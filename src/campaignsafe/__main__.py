"""``python -m campaignsafe``."""

from campaignsafe.cli import main

if __name__ == "__main__":
    main()
