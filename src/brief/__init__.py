"""brief: standardized Chinese aid briefings (DOCX and PDF) from county data files."""

__version__ = "0.1.0"
