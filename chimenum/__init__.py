"""chimenum: inspect the phone numbers of an Amazon Chime / Chime SDK Voice account."""

__version__ = "0.1.0"
