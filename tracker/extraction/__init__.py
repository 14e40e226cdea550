"""Read Chinese town work plans into sections and candidate targets.

Pure Python (standard library; PyYAML used for front matter when present),
with no Django imports, so it runs in a management command, a view, a
worker or a notebook alike.

    from tracker.extraction import extract, ExtractionError
    result = extract(path.read_bytes(), filename=path.name)
    for c in result.candidates:
        assert result.text[c.start:c.end] == c.quote
        print(c.kind, c.value, c.unit, c.comparison, c.metric)

Modules, in pipeline order: decoding (bytes → text), normalise + textmap
(clean paragraphs with an offset map back to the stored text), grouping
(named sets like 五个“聚焦”), sections (the section tree), numerals and
quantities (numbers with units and comparison words), classify (target,
progress, past, milestone), extract (putting it together).
"""

from .errors import ExtractionError
from .extract import COMPARISONS, JSON_KEYS, KINDS, Candidate, Extraction, extract, extract_text
from .sections import Section

__all__ = [
    "COMPARISONS",
    "JSON_KEYS",
    "KINDS",
    "Candidate",
    "Extraction",
    "ExtractionError",
    "Section",
    "extract",
    "extract_text",
]
