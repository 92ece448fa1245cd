"""border21: decision support for a 21st-century US–Mexico border.

The public API is listed in ``__all__``; heavy subpackages are imported
lazily so that ``import border21`` stays cheap.
"""

from __future__ import annotations

from border21.errors import Border21Error, InputError, NotFoundError

__version__ = "0.1.0"

__all__ = ["Border21Error", "InputError", "NotFoundError", "__version__"]
