"""File input and output: the DOT and GraphML readers and writers (:mod:`.dot`,
:mod:`.graphml`), the raw graph they exchange (:mod:`.raw`), format detection, loading and
saving (:mod:`.formats`), and safe file writing (:mod:`.safe_write`)."""
