"""Central's web layer: templates, translations and the pages shared by every office role."""
