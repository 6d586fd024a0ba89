"""spaCy side of fritekst: the Norwegian base pipeline and fritekst's own components."""
