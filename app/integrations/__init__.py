"""One folder per external provider; the only code that talks to them."""
