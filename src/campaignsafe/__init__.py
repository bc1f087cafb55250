"""campaignsafe: offline safety tools for UK election candidates and agents."""

__version__ = "0.1.0"
