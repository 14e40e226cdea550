"""The one exception the extractor raises for input it cannot read."""


class ExtractionError(ValueError):
    """Input that cannot be read as a Chinese plan document.

    The message is always a single line meant for a person: the management
    command and the upload view show it as it is.
    """

    def __init__(self, message: str) -> None:
        # Guarantee the one-line promise even if a caller passes a multi-line text.
        super().__init__(" ".join(str(message).split()))
