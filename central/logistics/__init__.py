"""After picking (LOG-1, LOG-2, WH-4, WH-6): transport, shipping documents, the dispatch and its documents' return."""
