"""The pages' words by area: each module holds ``MESSAGES = {key: (indonesian, english)}``,
merged into :data:`api.i18n.MESSAGES` at import (a key may be defined only once)."""
